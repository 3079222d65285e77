// The simulator's clock: the time Meta's payloads carry (a send's acceptance,
// its status timestamps, a customer's or the phone app's message). Real time
// unless set back, so the demo can replay past days through the same signed
// webhooks; throughput, retries and code lifetimes keep running on real time.
import { z } from "zod";

import type { ControlRoutes } from "./graph";

export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** From here on the clock reads `at` and keeps ticking; null puts it back on real time. */
  set(at: Date | null): void {
    this.offsetMs = at ? at.getTime() - Date.now() : 0;
  }

  json() {
    return { now: new Date(this.now()).toISOString(), offsetMs: this.offsetMs };
  }
}

// Meta never dates a payload ahead of its own time (the app refuses those), so neither does the simulator.
const clockSchema = z.object({
  at: z
    .string()
    .datetime({ offset: true })
    .nullable()
    .refine((at) => at === null || Date.parse(at) <= Date.now(), "must not be in the future"),
});

/** GET /_sim/clock reads it; POST /_sim/clock `{at}` sets it (`{at: null}`: real time again). */
export const clockRoutes: ControlRoutes = {
  "GET clock": ({ clock }) => ({ body: clock.json() }),
  "POST clock": ({ clock }, req) => {
    const parsed = clockSchema.safeParse(req.body);
    if (!parsed.success) return { status: 400, body: { error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } };
    clock.set(parsed.data.at === null ? null : new Date(parsed.data.at));
    return { body: clock.json() };
  },
};
