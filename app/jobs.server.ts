// Work the server does on a timer, outside any request: today, finishing
// webhook receipts whose processing did not complete.
import { db } from "./db.server";
import { reprocessPendingMetaReceipts } from "./whatsapp/webhooks.server";

const EVERY_MS = 30_000;

export function startBackgroundJobs(): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const count = await reprocessPendingMetaReceipts(db());
      if (count > 0) console.info(`Reprocessed ${count} pending WhatsApp webhook receipt(s)`);
    } catch (error) {
      console.error("Reprocessing pending webhook receipts failed:", error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), EVERY_MS);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
