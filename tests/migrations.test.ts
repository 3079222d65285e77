import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

import { type DatabaseProvider, sqliteFilePath } from "../app/core/database-url";
import { deployMigrations, migrationsDirFor, pendingSchemaDiff } from "../prisma/migrate";
import { ROOT } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { createPostgresDatabase, POSTGRES_URL, postgresQuery } from "./helpers/postgres";

interface Target {
  provider: DatabaseProvider;
  enabled: boolean;
  freshUrl(): Promise<string>;
  query<T>(url: string, sql: string): Promise<T[]>;
  tables(url: string): Promise<string[]>;
}

const sqliteQuery = async <T>(url: string, sql: string): Promise<T[]> => {
  const raw = new Database(sqliteFilePath(url), { readonly: true });
  try {
    return raw.prepare(sql).all() as T[];
  } finally {
    raw.close();
  }
};

const targets: Target[] = [
  {
    provider: "sqlite",
    enabled: true,
    freshUrl: async () => testDatabaseUrl("sqlite"),
    query: sqliteQuery,
    tables: async (url) => (await sqliteQuery<{ name: string }>(url, "SELECT name FROM sqlite_master WHERE type = 'table'")).map((t) => t.name),
  },
  {
    provider: "postgresql",
    enabled: Boolean(POSTGRES_URL),
    freshUrl: createPostgresDatabase,
    query: postgresQuery,
    tables: async (url) => (await postgresQuery<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((t) => t.tablename),
  },
];

const MODEL_TABLES = ["Session", "Shop", "WhatsAppAccount", "Template", "Automation", "Contact", "Order", "Checkout", "Message", "MessageStatusEvent", "WebhookReceipt"];

for (const target of targets) {
  describe.skipIf(!target.enabled)(`offline migrations on ${target.provider} (wasm schema engine, no download)`, () => {
    it("applies every migration to a fresh database with Prisma's bookkeeping, once", async () => {
      const url = await target.freshUrl();
      const onDisk = readdirSync(migrationsDirFor(target.provider))
        .filter((name) => /^\d{14}_/.test(name))
        .sort();
      expect(onDisk.length).toBeGreaterThan(0);
      expect(await deployMigrations(url)).toEqual(onDisk);
      expect(await deployMigrations(url)).toEqual([]);

      const rows = await target.query<Record<string, unknown>>(url, "SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations");
      expect(rows).toHaveLength(onDisk.length);
      for (const row of rows) {
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
      }
      expect(await target.tables(url)).toEqual(expect.arrayContaining(MODEL_TABLES));
    });

    it("has a migration for every schema change", async () => {
      expect(await pendingSchemaDiff(await target.freshUrl())).toBe("");
    });

    it("creates a migration from a schema change and applies it (npm run db:migrate)", async () => {
      const work = mkdtempSync(path.join(tmpdir(), "zap-migrate-"));
      cpSync(path.join(ROOT, "prisma"), path.join(work, "prisma"), { recursive: true, filter: (src) => !src.endsWith(".db") });
      mkdirSync(path.join(work, "app", "core"), { recursive: true });
      cpSync(path.join(ROOT, "app", "core", "database-url.ts"), path.join(work, "app", "core", "database-url.ts"));
      symlinkSync(path.join(ROOT, "node_modules"), path.join(work, "node_modules"));
      writeFileSync(path.join(work, "package.json"), JSON.stringify({ type: "module" }));
      const schemaPath = path.join(work, "prisma", "schema.prisma");
      writeFileSync(schemaPath, readFileSync(schemaPath, "utf8") + "\nmodel Probe {\n  id    String @id\n  label String\n}\n");

      const url = target.provider === "sqlite" ? "file:./dev.db" : await target.freshUrl();
      const env = { ...process.env, DATABASE_URL: url };
      const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "prisma/migrate.ts", ...args], { cwd: work, env, encoding: "utf8" });
      expect(run("check").status).toBe(1);
      const created = run("dev", "--name", "add_probe");
      expect(created.stderr).toBe("");
      expect(created.stdout).toMatch(/Created and applied migration \d{14}_add_probe/);
      const migrationsDir = path.join(work, "prisma", path.basename(migrationsDirFor(target.provider)));
      const dir = readdirSync(migrationsDir).find((name) => name.endsWith("_add_probe"))!;
      expect(readFileSync(path.join(migrationsDir, dir, "migration.sql"), "utf8")).toContain('CREATE TABLE "Probe"');
      expect(run("check").status).toBe(0);

      const absoluteUrl = target.provider === "sqlite" ? `file:${path.join(work, "dev.db")}` : url;
      const names = (await target.query<{ migration_name: string }>(absoluteUrl, "SELECT migration_name FROM _prisma_migrations ORDER BY migration_name")).map((r) => r.migration_name);
      expect(names.at(-1)).toBe(dir);
      expect(await target.tables(absoluteUrl)).toContain("Probe");
    });
  });
}
