// PostgreSQL for tests: TEST_POSTGRES_URL names a server and a role that may
// create databases (.ci/run starts one). Every test database is new and named
// zap_test_<run>_<random>: <run> is set once per test run (tests/global-setup.ts),
// which drops that run's databases when it ends.
import { randomUUID } from "node:crypto";

import pg from "pg";

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

const PREFIX = "zap_test_";

/** A run's tag: its start time (ms since the epoch, base 36) and 4 random hex digits. */
export function newTestRunTag(): string {
  return `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
}

const fallbackRunTag = newTestRunTag();

function runTag(): string {
  return process.env.ZAP_TEST_PG_RUN ?? fallbackRunTag;
}

/**
 * The URL of a new, not yet created database on the test server: the migration
 * tool creates it when it deploys (prisma/migrate.ts), as every test does first.
 */
export function postgresDatabaseUrl(): string {
  if (!POSTGRES_URL) throw new Error("TEST_DATABASE=postgresql needs TEST_POSTGRES_URL (a PostgreSQL role allowed to create databases)");
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${PREFIX}${runTag()}_${randomUUID().replace(/-/g, "")}`;
  return url.toString();
}

/** A new, empty database on the test server. */
export async function createPostgresDatabase(): Promise<string> {
  const url = postgresDatabaseUrl();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`);
  } finally {
    await admin.end();
  }
  return url;
}

export async function postgresQuery<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Sessions open on the database of `databaseUrl`, counted by application_name (the app names them zap-<process>). */
export async function sessionsByName(databaseUrl: string): Promise<Record<string, number>> {
  const rows = await postgresQuery<{ name: string; n: number }>(databaseUrl, "SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1");
  return Object.fromEntries(rows.map((row) => [row.name, row.n]));
}

/**
 * Drops the test databases of one run (`tag`), or of every run that started
 * more than `olderThanMs` ago (runs that were interrupted before their teardown).
 */
export async function dropTestDatabases(which: { tag: string } | { olderThanMs: number }): Promise<void> {
  if (!POSTGRES_URL) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'zap\\_test\\_%'`);
    const doomed = rows
      .map((row) => row.datname)
      .filter((name) => {
        const tag = name.slice(PREFIX.length).split("_")[0] ?? "";
        if ("tag" in which) return tag === which.tag;
        const startedAt = parseInt(tag.slice(0, -4), 36);
        return Number.isFinite(startedAt) && Date.now() - startedAt > which.olderThanMs;
      });
    for (const name of doomed) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
