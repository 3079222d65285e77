// Two ways of running async work that arrives concurrently.
//
// Group commit: calls made while a run is in progress wait, and go together
// in the next run — one transaction for what arrived meanwhile. By default a
// lone call runs at once; with `gatherMs`, the first call of a quiet spell
// waits that long for others to join it (for work nobody waits on, where
// fewer, larger runs save more than the delay costs). Each call settles when
// its run ends. A run that fails is tried again item by item, so each call
// settles with its own outcome and one bad item cannot fail the others.
type Outcome = { ok: true } | { ok: false; error: unknown };

export function groupCommit<T>(run: (items: T[]) => Promise<void>, options: { gatherMs?: number } = {}): (item: T) => Promise<void> {
  let waiting: { item: T; settle: (outcome: Outcome) => void }[] = [];
  let running = false;
  // Whatever `run` does (throws at once, rejects with any value), the outcome is a value.
  const attempt = (items: T[]): Promise<Outcome> =>
    Promise.resolve()
      .then(() => run(items))
      .then(
        (): Outcome => ({ ok: true }),
        (error: unknown): Outcome => ({ ok: false, error }),
      );
  const drain = async () => {
    running = true;
    try {
      if (options.gatherMs) await new Promise((resolve) => setTimeout(resolve, options.gatherMs));
      while (waiting.length) {
        const group = waiting;
        waiting = [];
        const outcome = await attempt(group.map((call) => call.item));
        if (outcome.ok || group.length === 1) for (const call of group) call.settle(outcome);
        else for (const call of group) call.settle(await attempt([call.item]));
      }
    } finally {
      running = false;
    }
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, settle: (outcome) => (outcome.ok ? resolve() : reject(outcome.error)) });
      if (!running) void drain();
    });
}

/** Runs at most `n` of the calls at once; the others wait their turn, in order (a finishing call hands its slot on). */
export function limited(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (work) => {
    if (active < n) active++;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}
