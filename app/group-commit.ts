// Group commit: calls made while a run is in progress wait, and go together
// in the next run — one transaction for what arrived meanwhile, never a timer
// that delays a lone call. Each call settles when its run ends. A run that
// fails is tried again item by item, so each call settles with its own
// outcome and one bad item cannot fail the others.
export function groupCommit<T>(run: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { item: T; settle: (error?: unknown) => void }[] = [];
  let running = false;
  const attempt = (items: T[]) =>
    run(items).then(
      () => undefined,
      (error: unknown) => error ?? new Error("A group commit failed"),
    );
  const drain = async () => {
    running = true;
    while (waiting.length) {
      const group = waiting;
      waiting = [];
      const error = await attempt(group.map((call) => call.item));
      if (!error || group.length === 1) for (const call of group) call.settle(error);
      else for (const call of group) call.settle(await attempt([call.item]));
    }
    running = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, settle: (error) => (error ? reject(error) : resolve()) });
      if (!running) void drain();
    });
}
