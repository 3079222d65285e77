import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two files at a time on a 2-CPU machine: most of a test file's time is waiting (simulated
    // delays, retries, polls), and one at a time (Vitest's default there) took 30 min per database.
    // Three at a time was no faster here (SQLite pass 1,383 s against 1,373 s with two, the same day):
    // the files are CPU-bound by then, and a campaign sent 147 messages in the minute its test allows.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
