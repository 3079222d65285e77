// Offline migrations. Prisma's CLI downloads a native schema engine for
// `migrate`, which this project cannot rely on; the same engine ships as
// WebAssembly (@prisma/schema-engine-wasm) and talks to the database through
// Prisma's own driver adapters. This module drives it: `deploy` applies pending
// migrations with Prisma's `_prisma_migrations` bookkeeping, `dev` writes a new
// migration from the schema diff, `check` fails when the schema and the
// migration history disagree, or when the wasm engine is not the build the
// installed Prisma ships (@prisma/engines-version).
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

import { type DatabaseProvider as Provider, providerOf, sqliteFilePath } from "../app/core/database-url";
import { schemaFor } from "./generate";

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
const filters = { externalTables: [], externalEnums: [] };

/** Migrations are SQL per provider: SQLite in prisma/migrations, PostgreSQL beside it. */
export function migrationsDirFor(provider: Provider): string {
  return path.join(prismaDir, provider === "sqlite" ? "migrations" : "migrations-postgresql");
}

interface Connections {
  factory: ReturnType<typeof bindMigrationAwareSqlAdapterFactory>;
  /** Closes what the engine opened: it never disposes its adapters, and an open SQLite connection keeps the file locked. */
  dispose(): Promise<void>;
}

function adapterFactory(databaseUrl: string): Connections {
  const opened: { dispose(): Promise<void> }[] = [];
  const track = <F extends { connect(): Promise<{ dispose(): Promise<void> }>; connectToShadowDb(): Promise<{ dispose(): Promise<void> }> }>(factory: F) => {
    const connect = factory.connect.bind(factory);
    const connectToShadowDb = factory.connectToShadowDb.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      opened.push(adapter);
      return adapter;
    };
    factory.connectToShadowDb = async () => {
      const adapter = await connectToShadowDb();
      opened.push(adapter);
      return adapter;
    };
    return factory;
  };
  // Some adapters (PostgreSQL's shadow database) are already disposed by the engine.
  const dispose = async () => {
    await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
  };

  if (providerOf(databaseUrl) === "sqlite") {
    const file = sqliteFilePath(databaseUrl);
    mkdirSync(path.dirname(file), { recursive: true });
    const factory = new PrismaBetterSqlite3({ url: `file:${file}` }, { shadowDatabaseUrl: ":memory:" });
    // The engine replays migration scripts into the shadow database with
    // argument-less executeRaw calls; better-sqlite3 prepares one statement at
    // a time, so scripts go through executeScript instead.
    const connectShadow = factory.connectToShadowDb.bind(factory);
    factory.connectToShadowDb = async () => {
      const adapter = await connectShadow();
      const executeRaw = adapter.executeRaw.bind(adapter);
      adapter.executeRaw = (query) => (query.args.length > 0 ? executeRaw(query) : adapter.executeScript(query.sql).then(() => 0));
      return adapter;
    };
    return { factory: bindMigrationAwareSqlAdapterFactory(track(factory)), dispose };
  }
  // PostgreSQL. The URL is passed as discrete fields (a connectionString would
  // win over the shadow's `database` override), and the shadow database's
  // life is handled here: adapter-pg 7.10 drops it while its own pool is still
  // connected, which PostgreSQL refuses.
  const { fields, database } = postgresFields(databaseUrl);
  const factory = new PrismaPg({ ...fields, database });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => presentInternalCharAsText(await connect());
  factory.connectToShadowDb = async () => {
    const admin = await connect();
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = presentInternalCharAsText(await new PrismaPg({ ...fields, database: name }).connect());
    const close = shadow.dispose.bind(shadow);
    let disposed: Promise<void> | undefined;
    shadow.dispose = () =>
      (disposed ??= (async () => {
        await close();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        await admin.dispose();
      })());
    return shadow;
  };
  return { factory: bindMigrationAwareSqlAdapterFactory(track(factory)), dispose };
}

type PgFields = { host: string; port: number; user: string; password: string; ssl?: { rejectUnauthorized: boolean } };

function postgresFields(databaseUrl: string): { fields: PgFields; database: string } {
  const url = new URL(databaseUrl);
  const sslmode = url.searchParams.get("sslmode");
  const fields = {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(sslmode && sslmode !== "disable" ? { ssl: { rejectUnauthorized: sslmode === "verify-full" } } : {}),
  };
  return { fields, database: decodeURIComponent(url.pathname.slice(1)) };
}

const driverErrorKind = (error: unknown): string | undefined =>
  (error as { name?: string; cause?: { kind?: string } } | null)?.name === "DriverAdapterError" ? (error as { cause: { kind?: string } }).cause.kind : undefined;

/**
 * Creates the PostgreSQL database DATABASE_URL names when it does not exist,
 * as `prisma migrate deploy` does (its CLI asks the native engine; the wasm
 * engine has no such command). The database is looked for by connecting to it;
 * only when PostgreSQL answers that it does not exist is it created, through
 * the server's `postgres` (else `template1`) database, which needs a role
 * allowed to create databases. A concurrent creation of the same name is fine.
 */
async function ensurePostgresDatabase(databaseUrl: string): Promise<void> {
  const { fields, database } = postgresFields(databaseUrl);
  if (!database) return; // PostgreSQL connects to the user's own database
  const probe = await new PrismaPg({ ...fields, database }).connect();
  try {
    await probe.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] });
    return;
  } catch (error) {
    if (driverErrorKind(error) !== "DatabaseDoesNotExist") throw error;
  } finally {
    await probe.dispose();
  }
  for (const maintenance of ["postgres", "template1"]) {
    const admin = await new PrismaPg({ ...fields, database: maintenance }).connect();
    try {
      await admin.executeScript(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      return;
    } catch (error) {
      const kind = driverErrorKind(error);
      if (kind === "DatabaseAlreadyExists") return;
      if (kind !== "DatabaseDoesNotExist" || maintenance === "template1") throw error;
    } finally {
      await admin.dispose();
    }
  }
}

type PgResult = { fields: { dataTypeID: number }[] };

/**
 * The engine reads PostgreSQL's catalogs, whose one-letter flags have the
 * internal type "char" (OID 18); adapter-pg 7.10 has no column type for it and
 * rejects the whole result. For the migration tool only, those fields are
 * reported as text (OID 25): their values already arrive as one-character strings.
 */
function presentInternalCharAsText<A extends object>(adapter: A): A {
  const io = adapter as unknown as { performIO: (query: unknown) => Promise<PgResult> };
  const performIO = io.performIO.bind(adapter);
  io.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  return adapter;
}

interface Engine {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(input: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

interface EngineBindings {
  SchemaEngine: { new: (options: unknown, log: (line: string) => void, adapter: unknown) => Promise<Engine> };
}

/** The wasm engine must be the build Prisma's own engines are (an upgrade of one without the other fails here). */
export function engineDrift(): string | undefined {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string, from?: string) => {
    let dir = path.dirname(require.resolve(name, from ? { paths: [from] } : undefined));
    while (!existsSync(path.join(dir, "package.json")) || (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: string }).name !== name) dir = path.dirname(dir);
    return (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  };
  const wasm = versionOf("@prisma/schema-engine-wasm");
  const engines = versionOf("@prisma/engines-version", path.dirname(require.resolve("@prisma/engines")));
  if (wasm === engines) return undefined;
  return `@prisma/schema-engine-wasm is ${wasm}, but the installed Prisma's engines are ${engines}. Run: npm install --save-exact @prisma/schema-engine-wasm@${engines}`;
}

let bindingsPromise: Promise<EngineBindings> | undefined;

/** Instantiates the wasm module once per process; engines are cheap after that. */
function engineBindings(): Promise<EngineBindings> {
  bindingsPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bindings = await import(pathToFileURL(path.join(dir, "schema_engine_bg.js")).href);
    const { instance } = await WebAssembly.instantiate(readFileSync(path.join(dir, "schema_engine_bg.wasm")), {
      "./schema_engine_bg.js": bindings,
    });
    // The engine reports Rust panics through this global before throwing.
    const panic = {
      message: "",
      set_message(message: string) {
        this.message = message;
      },
    };
    (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: typeof panic }).PRISMA_WASM_PANIC_REGISTRY = panic;
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
    return bindings as EngineBindings;
  })();
  return bindingsPromise;
}

async function loadEngine(provider: Provider, connections: Connections): Promise<Engine> {
  const { SchemaEngine } = await engineBindings();
  const log = process.env.MIGRATE_DEBUG ? (line: string) => console.error(line) : () => undefined;
  return SchemaEngine.new({ datamodels: [["schema.prisma", schemaFor(provider)]] }, log, connections.factory);
}

function migrationsList(provider: Provider) {
  const baseDir = migrationsDirFor(provider);
  mkdirSync(baseDir, { recursive: true });
  const lockPath = path.join(baseDir, "migration_lock.toml");
  if (!existsSync(lockPath)) {
    writeFileSync(lockPath, `# Do not edit: written by prisma/migrate.ts\nprovider = "${provider}"\n`);
  }
  const migrationDirectories = readdirSync(baseDir)
    .filter((name) => existsSync(path.join(baseDir, name, "migration.sql")))
    .sort()
    .map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok", value: readFileSync(path.join(baseDir, name, "migration.sql"), "utf8") },
      },
    }));
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: readFileSync(lockPath, "utf8") },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

async function withEngine<T>(databaseUrl: string, run: (engine: Engine, provider: Provider) => Promise<T>): Promise<T> {
  const provider = providerOf(databaseUrl);
  if (provider === "postgresql") await ensurePostgresDatabase(databaseUrl);
  const connections = adapterFactory(databaseUrl);
  const engine = await loadEngine(provider, connections);
  try {
    return await run(engine, provider);
  } finally {
    engine.free();
    await connections.dispose();
  }
}

/** Applies every pending migration; returns the names applied. */
export async function deployMigrations(databaseUrl: string): Promise<string[]> {
  return withEngine(databaseUrl, async (engine, provider) => {
    const result = await engine.applyMigrations({ migrationsList: migrationsList(provider), filters });
    return result.appliedMigrationNames;
  });
}

/** SQL that would bring the migration history up to the schema; empty when in sync. */
export async function pendingSchemaDiff(databaseUrl: string): Promise<string> {
  return withEngine(databaseUrl, async (engine, provider) => {
    const result = await engine.diff({
      from: { tag: "migrations", ...migrationsList(provider) },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schemaFor(provider) }] },
      script: true,
      exitCode: null,
      filters,
    });
    const sql = result.stdout ?? "";
    return /^\s*-- This is an empty migration\.\s*$/.test(sql) ? "" : sql;
  });
}

function timestamp(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** Writes a migration for the schema change (if any) and applies it. */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`Migration name must be lowercase letters, digits and _ (got "${name}")`);
  const sql = await pendingSchemaDiff(databaseUrl);
  if (!sql) return null;
  const dirName = `${timestamp()}_${name}`;
  const dir = path.join(migrationsDirFor(providerOf(databaseUrl)), dirName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), sql);
  await deployMigrations(databaseUrl);
  return dirName;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const databaseUrl = process.env.DATABASE_URL ?? "file:./prisma/dev.db";
  switch (command) {
    case "deploy": {
      const applied = await deployMigrations(databaseUrl);
      console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
      return 0;
    }
    case "dev": {
      const nameIndex = rest.indexOf("--name");
      const name = nameIndex >= 0 ? rest[nameIndex + 1] : undefined;
      if (!name) {
        console.error("Usage: npm run db:migrate -- --name <what_changed>");
        return 2;
      }
      const created = await createMigration(databaseUrl, name);
      console.log(created ? `Created and applied migration ${created}` : "Schema and migrations are in sync: nothing to create.");
      return 0;
    }
    case "check": {
      const drift = engineDrift();
      if (drift) {
        console.error(drift);
        return 1;
      }
      const sql = await pendingSchemaDiff(databaseUrl);
      if (sql) {
        console.error(`prisma/schema.prisma has changes with no migration. Run: npm run db:migrate -- --name <what_changed>\n\n${sql}`);
        return 1;
      }
      console.log("Schema and migrations are in sync.");
      return 0;
    }
    default:
      console.error("Usage: tsx prisma/migrate.ts deploy | dev --name <name> | check");
      return 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
