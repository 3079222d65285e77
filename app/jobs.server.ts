// Work the server does outside any request: sending due messages (unless a
// separate worker does, DISPATCH_MODE=off), finishing webhook receipts whose
// processing did not complete, and the daily pull of Meta's pricing figures.
import { config } from "./config.server";
import { db } from "./db.server";
import { log } from "./log.server";
import { startDispatcher } from "./dispatch.server";
import { reconcileDueShops } from "./pricing/reconciliation.server";
import { graphClient } from "./whatsapp/client.server";
import { signupDeps } from "./services.server";
import { reprocessPendingShopifyReceipts } from "./shopify-webhooks.server";
import { reprocessPendingMetaReceipts } from "./whatsapp/webhooks.server";

const EVERY_MS = 30_000;
const RECONCILE_EVERY_MS = 60 * 60 * 1000;

export function startBackgroundJobs(): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const count = (await reprocessPendingMetaReceipts(db())) + (await reprocessPendingShopifyReceipts(signupDeps()));
      if (count > 0) log.info({ count }, "Reprocessed pending webhook receipts");
    } catch (error) {
      log.error({ err: error }, "Reprocessing pending webhook receipts failed");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), EVERY_MS);
  timer.unref();
  void tick();
  // Meta's pricing figures, pulled once a day per shop (the hourly check picks the shops due).
  const reconcile = () =>
    reconcileDueShops(signupDeps()).catch((error: unknown) => log.error({ err: error }, "Pricing reconciliation failed"));
  const reconcileTimer = setInterval(() => void reconcile(), RECONCILE_EVERY_MS);
  reconcileTimer.unref();
  const dispatcher = config().DISPATCH_MODE === "web" ? startDispatcher({ db: db(), config: config(), graph: graphClient(config()) }) : null;
  return () => {
    clearInterval(timer);
    clearInterval(reconcileTimer);
    void dispatcher?.stop();
  };
}
