import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Three files at a time on a 2-CPU machine: most of a test file's time is waiting (simulated
    // delays, retries, polls). One at a time (Vitest's default there) took 30 min per database, two
    // about 23, three about 20 (the CI machine's 45-minute budget covers both databases).
    maxWorkers: 3,
    minWorkers: 1,
  },
});
