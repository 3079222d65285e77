import { describe, expect, it } from "vitest";

import { groupCommit } from "../app/group-commit";

describe("group commit", () => {
  it("runs a lone call at once and groups the calls made while a run is in progress", async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commit = groupCommit(async (items: number[]) => {
      runs.push(items);
      if (runs.length === 1) await gate;
    });
    const first = commit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([[1]]);
    const later = [commit(2), commit(3), commit(4)];
    release();
    await Promise.all([first, ...later]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it("tries a failed group item by item, so each call settles with its own outcome", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commit = groupCommit(async (items: string[]) => {
      runs.push(items);
      if (runs.length === 1) await gate;
      if (items.includes("bad")) throw new Error(`refused ${items.join(",")}`);
    });
    const first = commit("first");
    await new Promise((resolve) => setImmediate(resolve));
    const group = [commit("good"), commit("bad"), commit("fine")].map((call) => call.then(() => "ok", (error: Error) => error.message));
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
