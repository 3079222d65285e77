// A real, migrated database per test: a SQLite file, or with
// TEST_DATABASE=postgresql a new database on TEST_POSTGRES_URL's server.
import { randomUUID } from "node:crypto";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { type DatabaseProvider, providerOf, sqliteFilePath } from "../../app/core/database-url";
import { createDb, type Db } from "../../app/core/db.server";
import { deployMigrations } from "../../prisma/migrate";
import { ROOT } from "../../sandbox/harness";
import { postgresDatabaseUrl } from "./postgres";

/** The database the suite runs on: TEST_DATABASE=sqlite (default) or postgresql. */
export function testProvider(): DatabaseProvider {
  const wanted = process.env.TEST_DATABASE || "sqlite";
  if (wanted !== "sqlite" && wanted !== "postgresql") throw new Error(`TEST_DATABASE must be sqlite or postgresql (got "${wanted}")`);
  return wanted;
}

/**
 * A DATABASE_URL no test has used. The database is created by the first
 * deployMigrations() on it (the sandbox and createTestDb() deploy before anything else).
 */
/** Where the SQLite test databases are. */
export function testDbDir(): string {
  return process.env.ZAP_TEST_DB_DIR ?? path.join(ROOT, "tests", "artifacts", "db");
}

export function testDatabaseUrl(provider: DatabaseProvider = testProvider()): string {
  if (provider === "postgresql") return postgresDatabaseUrl();
  return `file:${path.join(testDbDir(), `${randomUUID()}.db`)}`;
}

export async function createTestDb(): Promise<{ db: Db; url: string }> {
  const url = testDatabaseUrl();
  await deployMigrations(url);
  return { db: createDb(url), url };
}

export async function createShop(db: Db, domain: string) {
  return db.shop.create({ data: { domain, marketingBlockedCountries: ["US"], optOutKeywords: ["STOP"] } });
}

/** One row as the database stores it, read past Prisma with the database's own driver. */
export async function rawRow(url: string, table: string, column: string, value: string): Promise<Record<string, unknown> | undefined> {
  if (providerOf(url) === "sqlite") {
    const raw = new Database(sqliteFilePath(url), { readonly: true });
    try {
      return raw.prepare(`SELECT * FROM "${table}" WHERE "${column}" = ?`).get(value) as Record<string, unknown> | undefined;
    } finally {
      raw.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT * FROM "${table}" WHERE "${column}" = $1`, [value])).rows[0] as Record<string, unknown> | undefined;
  } finally {
    await client.end();
  }
}
