// A real, migrated SQLite database per test file.
import { randomUUID } from "node:crypto";
import path from "node:path";

import { createDb, type Db } from "../../app/db.server";
import { deployMigrations } from "../../prisma/migrate";
import { ROOT } from "../../sandbox/harness";

export function testDatabaseUrl(): string {
  return `file:${path.join(process.env.ZAP_TEST_DB_DIR ?? path.join(ROOT, "tests", "artifacts", "db"), `${randomUUID()}.db`)}`;
}

export async function createTestDb(): Promise<{ db: Db; url: string }> {
  const url = testDatabaseUrl();
  await deployMigrations(url);
  return { db: createDb(url), url };
}

export async function createShop(db: Db, domain: string) {
  return db.shop.create({ data: { domain, marketingBlockedCountries: ["US"], optOutKeywords: ["STOP"] } });
}
