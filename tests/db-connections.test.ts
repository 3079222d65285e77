// PostgreSQL connections of a process's shared client (DATABASE_POOL_SIZE): all
// opened before the first request needs one, and kept however long they sit
// idle, so a burst of webhooks after a quiet spell does not wait for new server
// processes and SCRAM exchanges (it did: p99 ack 173–335 ms in bench:scale's first
// seconds, 37–42 ms with the connections open). SQLite has one connection and nothing to open.
import { afterAll, describe, expect, it } from "vitest";

import { createDb, type Db, openConnections } from "../app/core/db.server";
import { deployMigrations } from "../prisma/migrate";
import { testDatabaseUrl, testProvider } from "./helpers/db";
import { sessionsByName } from "./helpers/postgres";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// node-postgres closes a connection idle this long unless the pool keeps it (its default idleTimeoutMillis).
const PG_IDLE_TIMEOUT_MS = 10_000;

describe.skipIf(testProvider() !== "postgresql")("PostgreSQL connections of the shared client", () => {
  const clients: Db[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
  });

  it("opens DATABASE_POOL_SIZE connections before any query and keeps them idle, where a default pool lets them go", async () => {
    const url = testDatabaseUrl();
    await deployMigrations(url);
    const named = (name: string) => {
      const withName = new URL(url);
      withName.searchParams.set("application_name", name);
      return withName.toString();
    };
    const sessions = () => sessionsByName(url);

    const kept = createDb(named("zap-kept"), { poolSize: 3 });
    const plain = createDb(named("zap-plain"));
    clients.push(kept, plain);
    await openConnections(kept);
    await Promise.all([1, 2, 3].map(() => plain.$executeRaw`SELECT pg_sleep(0.05)`));
    expect(await sessions()).toMatchObject({ "zap-kept": 3, "zap-plain": 3 });

    await sleep(PG_IDLE_TIMEOUT_MS + 1500);
    const after = await sessions();
    expect(after["zap-kept"]).toBe(3);
    expect(after["zap-plain"]).toBeUndefined();
    // The kept ones still answer.
    expect(await kept.shop.count()).toBe(0);
    expect((await sessions())["zap-kept"]).toBe(3);
  });

  it("names each session after its process (ZAP_PROCESS), as the Redis connections do", async () => {
    const url = testDatabaseUrl();
    await deployMigrations(url);
    const before = process.env.ZAP_PROCESS;
    process.env.ZAP_PROCESS = "web-7";
    try {
      const client = createDb(url, { poolSize: 1 });
      clients.push(client);
      await openConnections(client);
      const names = await client.$queryRaw<{ name: string }[]>`SELECT application_name AS name FROM pg_stat_activity WHERE pid = pg_backend_pid()`;
      expect(names).toEqual([{ name: "zap-web-7" }]);
    } finally {
      if (before === undefined) delete process.env.ZAP_PROCESS;
      else process.env.ZAP_PROCESS = before;
    }
  });
});
