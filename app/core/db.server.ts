// The one Prisma client of the process, chosen by DATABASE_URL: the client
// generated for SQLite on a better-sqlite3 driver adapter, or the client
// generated for PostgreSQL on a node-postgres one (prisma/generate.ts generates
// both from prisma/schema.prisma), so no native query engine is needed.
// Errors are "minimal": Prisma's pretty format quotes the call's arguments
// (customer phones and names) into the message.
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { config } from "./config.server";
import { providerOf, sqliteFilePath } from "./database-url";
import { PrismaClient } from "../generated/prisma/client";
import { PrismaClient as PostgresPrismaClient } from "../generated/prisma-postgresql/client";
import { log } from "./log.server";
import { serializeTransactions } from "./sqlite-serial.server";

/**
 * The app is typed against the SQLite client, whichever database runs. Both
 * clients come from the same schema, so their models, queries and results are
 * the same; the PostgreSQL client's types only add what SQLite lacks (e.g.
 * `mode: "insensitive"`), which the app therefore cannot use. `Prisma`
 * (errors, `Prisma.sql`, `Prisma.DbNull`) comes from the runtime both share.
 */
export type Db = PrismaClient;
/** A client or an open interactive transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const sqliteFiles = new WeakMap<Db, string>();
const pools = new WeakMap<Db, pg.Pool>();
/** Marks a PostgreSQL client; read through `$extends` and transactions, which forward to the client (locksRows). */
const ROW_LOCKS = Symbol("zap.rowLocks");

/** The SQLite file behind a client made by createDb; undefined on PostgreSQL. */
export function sqliteFileOf(db: Db): string | undefined {
  return sqliteFiles.get(db);
}

/**
 * SQLite copies its write-ahead log into the database file (a checkpoint,
 * with an fsync) inside whichever commit makes the log long enough. better-sqlite3
 * runs that on the caller's event loop: in the web process it held every
 * webhook in flight. The web process leaves checkpoints to its worker
 * (markWorkerProcess), whose commits are off the request path.
 */
export function createDb(databaseUrl: string, options: { checkpoints?: boolean; poolSize?: number } = {}): Db {
  if (providerOf(databaseUrl) === "sqlite") {
    // One connection for every request: an open interactive transaction must
    // hold it alone, or other requests' queries run inside it (see the module).
    const adapter = serializeTransactions(new PrismaBetterSqlite3({ url: `file:${sqliteFilePath(databaseUrl)}`, timeout: 0 }));
    const client = new PrismaClient({ adapter, errorFormat: "minimal" });
    // Write-ahead log: readers never wait for the writer, and a commit is one
    // append instead of a journal rewrite; NORMAL sync keeps every commit across
    // a process crash (only an OS crash can lose the last ones).
    sqliteFiles.set(client, sqliteFilePath(databaseUrl));
    // secure_delete: what is deleted or overwritten (an erased customer, an emptied webhook body) is zeroed
    // in the file, not left in free pages for anyone reading the file or a copy of it.
    client
      .$queryRawUnsafe("PRAGMA journal_mode = WAL")
      .then(() => client.$queryRawUnsafe("PRAGMA synchronous = NORMAL"))
      .then(() => client.$queryRawUnsafe("PRAGMA secure_delete = ON"))
      .then(() => (options.checkpoints === false ? client.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 0") : undefined))
      .catch((error: unknown) => log.error({ err: error }, "Could not switch SQLite to WAL"));
    return client;
  }
  // Each session names its process in pg_stat_activity (zap-web-1, zap-worker-2…), as the Redis
  // connections do; an application_name in DATABASE_URL wins. With a poolSize, the pool keeps that
  // many connections however long they sit idle (openConnections opens them): opening one costs
  // a server process and a SCRAM exchange, which a burst of webhooks would otherwise wait for.
  // Kept connections send TCP keep-alives, so one a firewall or NAT dropped while idle is found
  // dead and replaced, not written to by the next burst.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    application_name: `zap-${process.env.ZAP_PROCESS ?? "app"}`,
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    ...(options.poolSize ? { max: options.poolSize, min: options.poolSize } : {}),
  });
  // An idle connection that fails (a database restart) leaves the pool; without a listener, before
  // Prisma's first query adds its own, the error would end the process.
  pool.on("error", (error) => log.warn({ err: error }, "A pooled PostgreSQL connection failed; the pool opens another when one is needed"));
  const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), errorFormat: "minimal" });
  pools.set(client as unknown as Db, pool);
  Object.defineProperty(client, ROW_LOCKS, { value: true });
  // The one cast between the two clients (see Db above): TypeScript sees them
  // as unrelated classes, e.g. their transaction isolation levels differ.
  return client as unknown as Db;
}

/**
 * Whether the client's database locks rows one at a time, as a statement
 * reads them (PostgreSQL): then two transactions that change shared rows must
 * lock them in one order, or each may hold a row the other waits for.
 * SQLite's writing transactions take the whole database, one at a time.
 */
/**
 * SQLite: copies the write-ahead log into the database file and empties it, so
 * what an erasure deleted (zeroed in the file by secure_delete) is not left in
 * the log's older frames either. Tries again while readers still use them
 * (the web process's reads are short); PostgreSQL has no such file.
 */
export async function eraseFromLog(db: Db, attempts = 50): Promise<boolean> {
  if (!sqliteFileOf(db)) return true;
  for (let i = 0; i < attempts; i++) {
    const [result] = await db.$queryRawUnsafe<{ busy: number | bigint }[]>("PRAGMA wal_checkpoint(TRUNCATE)");
    if (Number(result?.busy ?? 0) === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  log.warn("The database's write-ahead log could not be emptied after an erasure; it will be at the next checkpoint");
  return false;
}

export function locksRows(db: Db | Tx): boolean {
  return (db as unknown as Record<symbol, unknown>)[ROW_LOCKS] === true;
}

/**
 * Opens every connection a PostgreSQL client keeps (createDb's poolSize) before the first request
 * needs one; nothing on SQLite. Rejects when one cannot be opened, or after `timeoutMs` (the
 * database does not answer); the ones that did open stay in the pool either way.
 */
export async function openConnections(db: Db, timeoutMs = 10_000): Promise<void> {
  const pool = pools.get(db);
  if (!pool) return;
  const opening = Promise.allSettled(Array.from({ length: pool.options.min ?? 0 }, () => pool.connect())).then((results) => {
    for (const result of results) if (result.status === "fulfilled") result.value.release();
    const failed = results.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database connections were not open after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([opening, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const globalForDb = globalThis as unknown as { zapDb?: Db; zapWorkerProcess?: boolean };

/** This process is a worker (worker.ts): its shared client does SQLite's checkpoints (see createDb). */
export function markWorkerProcess(): void {
  globalForDb.zapWorkerProcess = true;
}

/** Shared client; kept on globalThis so dev-server reloads reuse the connection. */
export function db(): Db {
  globalForDb.zapDb ??= createDb(config().DATABASE_URL, { checkpoints: globalForDb.zapWorkerProcess === true, poolSize: config().DATABASE_POOL_SIZE });
  return globalForDb.zapDb;
}
