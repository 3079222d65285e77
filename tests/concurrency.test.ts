import { describe, expect, it } from "vitest";

import { groupCommit, limited } from "../app/core/concurrency";

/** A group commit whose first run waits until released, with every run's items recorded. */
function heldFirstRun<T>(after: (items: T[]) => void = () => undefined) {
  const runs: T[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const commit = groupCommit(async (items: T[]) => {
    runs.push(items);
    if (runs.length === 1) await gate;
    after(items);
  });
  return { runs, release, commit };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit", () => {
  it("runs a lone call at once and groups the calls made while a run is in progress", async () => {
    const { runs, release, commit } = heldFirstRun<number>();
    const first = commit(1);
    await tick();
    expect(runs).toEqual([[1]]);
    const later = [commit(2), commit(3), commit(4)];
    release();
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it("with gatherMs, holds a quiet spell's first call for the calls that follow it, then keeps grouping", async () => {
    const runs: number[][] = [];
    const commit = groupCommit(
      async (items: number[]) => {
        runs.push(items);
      },
      { gatherMs: 20 },
    );
    const first = [commit(1), commit(2)];
    await tick();
    expect(runs).toEqual([]);
    const third = commit(3);
    await Promise.all([...first, third]);
    expect(runs).toEqual([[1, 2, 3]]);
    // Without it, the same calls run the first alone.
    const plain: number[][] = [];
    const now = groupCommit(async (items: number[]) => {
      plain.push(items);
    });
    await Promise.all([now(1), now(2), now(3)]);
    expect(plain).toEqual([[1], [2, 3]]);
  });

  it("tries a failed group item by item, so each call settles with its own outcome", async () => {
    const { runs, release, commit } = heldFirstRun<string>((items) => {
      if (items.includes("bad")) throw new Error(`refused ${items.join(",")}`);
    });
    const first = commit("first");
    await tick();
    const group = [commit("good"), commit("bad"), commit("fine")].map((call) =>
      call.then(
        () => "ok",
        (error: Error) => error.message,
      ),
    );
    release();
    await first;
    expect(await Promise.all(group)).toEqual(["ok", "refused bad", "ok"]);
    expect(runs).toEqual([["first"], ["good", "bad", "fine"], ["good"], ["bad"], ["fine"]]);
  });

  it("settles a run that throws at once or rejects with a falsy value as failed, and keeps serving later calls", async () => {
    let calls = 0;
    const commit = groupCommit((items: string[]): Promise<void> => {
      calls++;
      if (items[0] === "sync") throw new Error("thrown at once");
      if (items[0] === "falsy") return Promise.reject(0);
      return Promise.resolve();
    });
    await expect(commit("sync")).rejects.toThrow("thrown at once");
    await expect(commit("falsy")).rejects.toBe(0);
    await expect(commit("after")).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});

describe("limited", () => {
  it("runs at most n calls at once, the rest in the order they came, even when a call fails", async () => {
    const limit = limited(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = new Map<number, () => void>();
    const call = (i: number) =>
      limit(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.set(i, resolve));
        running--;
        if (i === 1) throw new Error("one failed");
      });
    const calls = [1, 2, 3, 4, 5].map((i) =>
      call(i).then(
        () => "ok",
        (error: Error) => error.message,
      ),
    );
    await tick();
    expect(started).toEqual([1, 2]);
    gates.get(1)!();
    await tick();
    // A call that arrives now waits behind those already waiting.
    calls.push(call(6).then(() => "ok"));
    expect(started).toEqual([1, 2, 3]);
    for (const i of [2, 3, 4, 5]) {
      gates.get(i)!();
      await tick();
    }
    gates.get(6)!();
    expect(await Promise.all(calls)).toEqual(["one failed", "ok", "ok", "ok", "ok", "ok"]);
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
  });
});
