// PostgreSQL for tests: TEST_POSTGRES_URL names a server and a role that may
// create databases (.ci/run starts one); each call makes a fresh database.
import { randomUUID } from "node:crypto";

import pg from "pg";

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

export async function createPostgresDatabase(): Promise<string> {
  if (!POSTGRES_URL) throw new Error("TEST_POSTGRES_URL is not set");
  const name = `zap_test_${randomUUID().replace(/-/g, "")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
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
