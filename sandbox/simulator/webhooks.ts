// Delivers signed webhooks to the app, the way Meta does: one change per POST
// in the whatsapp_business_account envelope, X-Hub-Signature-256 over the
// escaped body, retried on the configured schedule when the app does not
// answer 200.
import { metaSignature } from "./signing";
import type { World } from "./state";

export interface WebhookTarget {
  url: string | undefined;
  appSecret: string;
}

export class WebhookSender {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly world: World,
    private readonly target: () => WebhookTarget,
    private readonly retryDelaysMs: () => number[],
    private readonly now: () => number = Date.now,
  ) {}

  /** `time` is the entry's Unix time (the simulator's now unless given: a test can send an event dated earlier than one already sent). */
  send(wabaId: string, field: string, value: Record<string, unknown>, delayMs = 0, time = Math.floor(this.now() / 1000)): void {
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: wabaId, time, changes: [{ field, value }] }],
    });
    const job = new Promise<void>((resolve) => setTimeout(resolve, delayMs)).then(() => this.deliver(field, body));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves when every webhook queued so far has been delivered (or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async deliver(field: string, body: string): Promise<void> {
    const { url, appSecret } = this.target();
    if (!url) return;
    let status = 0;
    let attempts = 0;
    for (const retryDelay of [0, ...this.retryDelaysMs()]) {
      if (retryDelay) await new Promise((resolve) => setTimeout(resolve, retryDelay));
      attempts++;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": metaSignature(body, appSecret) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        await response.arrayBuffer();
        if (status === 200) break;
      } catch {
        status = 0;
      }
    }
    this.world.webhookDeliveries.push({ field, status, at: Date.now(), attempts });
  }
}
