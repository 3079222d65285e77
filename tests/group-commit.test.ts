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
    const group = [commit("good"), commit("bad"), commit("fine")].map((call) => call.then(() => "ok", (error: Error) => error.message));
    release();
    await first;
    expect(await Promise.all(group)).toEqual(["ok", "refused bad", "ok"]);
    expect(runs).toEqual([["first"], ["good", "bad", "fine"], ["good"], ["bad"], ["fine"]]);
  });
});
