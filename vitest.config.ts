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
    maxWorkers: 2,
    minWorkers: 1,
  },
});
