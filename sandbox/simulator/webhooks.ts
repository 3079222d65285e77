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
  private stopped = false;
  private sleepers = new Set<() => void>();

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
    const job = this.wait(delayMs).then(() => this.deliver(field, body));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Resolves when every webhook queued so far has been delivered (or given up). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops delivering (the simulator is closing): what is queued or waiting for a retry is given up, not retried for minutes against a stopped app. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private wait(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async deliver(field: string, body: string): Promise<void> {
    const { url, appSecret } = this.target();
    if (!url || this.stopped) return;
    let status = 0;
    let attempts = 0;
    for (const retryDelay of [0, ...this.retryDelaysMs()]) {
      if (retryDelay) await this.wait(retryDelay);
      if (this.stopped) break;
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
