// The worker: every piece of background work, in a process of its own, so the
// web process's event loop only answers requests. It handles stored webhook
// receipts (Shopify and Meta, due ones first, retries included), sends due
// messages (dispatch.server.ts), and pulls Meta's pricing figures hourly.
// Receipts and messages are claimed row by row, so any number of workers can
// run against one database; a web process that stores a receipt wakes its
// embedded worker at once (embedded-worker.server.ts), others find it by polling.
import type { AppConfig } from "../config.server";
import type { Db } from "../db.server";
import { startDispatcher } from "../dispatch.server";
import { log } from "../log.server";
import { reconcileDueShops } from "../pricing/reconciliation.server";
import { processShopifyReceipt } from "../shopify-webhooks.server";
import { dueReceipts } from "../webhook-receipts.server";
import type { WhatsAppClient } from "../whatsapp/client.server";
import { processMetaReceipt } from "../whatsapp/webhooks.server";

export interface WorkerDeps {
  db: Db;
  config: AppConfig;
  graph: WhatsAppClient;
}

const IDLE_POLL_MS = 200;
const RECONCILE_EVERY_MS = 60 * 60 * 1000;

/** Handles every receipt due now, oldest first; returns how many it took. */
export async function processDueReceipts(deps: WorkerDeps, take = 50): Promise<number> {
  const due = await dueReceipts(deps.db, take);
  for (const receipt of due) {
    await (receipt.source === "SHOPIFY" ? processShopifyReceipt(deps, receipt.id) : processMetaReceipt(deps.db, receipt.id));
  }
  return due.length;
}

export interface Worker {
  /** New work was stored: look now instead of at the next poll. */
  wake(): void;
  /** Stops taking work and waits for what is in flight (sends included). */
  stop(): Promise<void>;
}

export function startWorker(deps: WorkerDeps, options: { pollMs?: number } = {}): Worker {
  let running = true;
  let wake: () => void = () => undefined;
  const nap = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.pollMs ?? IDLE_POLL_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const receipts = (async () => {
    while (running) {
      try {
        if ((await processDueReceipts(deps)) === 0) await nap();
      } catch (error) {
        log.error({ err: error }, "Processing webhook receipts failed");
        await nap();
      }
    }
  })();
  const dispatcher = startDispatcher(deps);
  // Meta's pricing figures, pulled once a day per shop (the hourly check picks the shops due).
  const reconcile = setInterval(() => {
    reconcileDueShops(deps).catch((error: unknown) => log.error({ err: error }, "Pricing reconciliation failed"));
  }, RECONCILE_EVERY_MS);
  reconcile.unref();
  return {
    wake: () => wake(),
    stop: async () => {
      running = false;
      clearInterval(reconcile);
      wake();
      await Promise.all([receipts, dispatcher.stop()]);
    },
  };
}
