// SQLite runs on one better-sqlite3 connection, and a transaction belongs to
// the connection, not to the caller: while a request's interactive transaction
// was open (awaiting between its queries), any other request's query ran
// inside it, so that request's write was rolled back or committed with
// unrelated work, and its reads saw uncommitted rows. The adapter's own mutex
// only queues transactions behind each other, never plain queries.
//
// This wrapper hands the connection to one holder at a time, in arrival
// order: a plain query holds it for its (synchronous) statement, a
// transaction from BEGIN until commit or rollback. Waiting is a promise, never
// a busy wait inside SQLite (better-sqlite3 is synchronous, so that would stop
// the event loop), and requests of this process never meet SQLite's lock.
//
// Only the adapter's own entry points wait; the transaction object's queries
// (including Prisma's COMMIT/ROLLBACK and savepoints) run at once, as their
// transaction already holds the connection. Prisma ends every transaction it
// starts, including one that timed out or that arrived after its maxWait, so
// the connection always comes back. A caller that queries through the plain
// client from inside its own transaction waits for that transaction, until
// Prisma's transaction timeout rolls it back: use the `tx` it was given.
//
// Between processes (the web process and its worker share the file), SQLite's
// own lock decides, and waiting for it is async too: the connection has no
// busy timeout (better-sqlite3 would sleep inside the call, freezing the
// event loop that answers webhooks), a statement that finds the database
// locked is retried after a short async pause, and a transaction takes the
// write lock when it begins (BEGIN IMMEDIATE), where that wait can happen,
// rather than at its first write, where a lock error would abort it.
import { AsyncLocalStorage } from "node:async_hooks";

import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

/** How long a statement keeps retrying a locked database before the error goes to the caller. */
const BUSY_GIVE_UP_MS = 10_000;

function isBusy(error: unknown): boolean {
  const cause = (error as { name?: string; cause?: { kind?: string } } | null)?.cause;
  return (error as { name?: string } | null)?.name === "DriverAdapterError" && cause?.kind === "SocketTimeout";
}

/** Retries every millisecond this long (other processes' transactions last a few ms), then with growing pauses. */
const BUSY_FAST_RETRIES = 50;

/** Set while a caller would rather hear that the database is locked than wait (whileLockedFailFast). */
const failFast = new AsyncLocalStorage<{ locked: boolean }>();

/**
 * Runs `run` with statements that do not wait for another process's lock:
 * the first that finds the database locked fails, and the outcome says so
 * (webhook intake spools the receipt instead, jobs/intake-spool.server.ts).
 */
export async function whileLockedFailFast<T>(run: () => Promise<T>): Promise<{ locked: true } | { locked: false; value: T }> {
  const state = { locked: false };
  try {
    const value = await failFast.run(state, run);
    return { locked: false, value };
  } catch (error) {
    if (state.locked) return { locked: true };
    throw error;
  }
}

/** Runs a statement, waiting (asynchronously) while another process holds the lock. */
async function whenUnlocked<T>(run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const caller = failFast.getStore();
      if (caller && isBusy(error)) caller.locked = true;
      if (caller || !isBusy(error) || Date.now() - started > BUSY_GIVE_UP_MS) throw error;
      // A webhook waiting for the worker's transaction should get the lock as soon as it is free:
      // growing pauses added up to 25 ms to the acknowledgement (measured: p99 33 → 24–27 ms at 200/s).
      const pause = attempt < BUSY_FAST_RETRIES ? 1 : Math.min(attempt - BUSY_FAST_RETRIES + 2, 25) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** A first-come, first-served lock: `acquire` resolves with its `release`. */
function createLock() {
  let last: Promise<void> = Promise.resolve();
  return function acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const acquired = last.then(() => release);
    last = released;
    return acquired;
  };
}

function serializeConnection(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const acquire = createLock();
  async function exclusive<T>(run: () => Promise<T>): Promise<T> {
    const release = await acquire();
    try {
      return await run();
    } finally {
      release();
    }
  }

  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    queryRaw: (query) => exclusive(() => whenUnlocked(() => adapter.queryRaw(query))),
    executeRaw: (query) => exclusive(() => whenUnlocked(() => adapter.executeRaw(query))),
    executeScript: (script) => exclusive(() => whenUnlocked(() => adapter.executeScript(script))),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      const release = await acquire();
      try {
        const tx = await adapter.startTransaction(isolationLevel);
        // The adapter began a deferred transaction (no lock yet): begin it again, immediate.
        await tx.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] });
        try {
          await whenUnlocked(() => tx.executeRaw({ sql: "BEGIN IMMEDIATE", args: [], argTypes: [] }));
        } catch (error) {
          await tx.rollback();
          throw error;
        }
        return holdingConnection(tx, release);
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}

/** The transaction as is, except that ending it gives the connection back. */
function holdingConnection(tx: Transaction, release: () => void): Transaction {
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: tx.queryRaw.bind(tx),
    executeRaw: tx.executeRaw.bind(tx),
    createSavepoint: tx.createSavepoint?.bind(tx),
    rollbackToSavepoint: tx.rollbackToSavepoint?.bind(tx),
    releaseSavepoint: tx.releaseSavepoint?.bind(tx),
    commit: () => tx.commit().finally(release),
    rollback: () => tx.rollback().finally(release),
  };
}

/** The factory's connections, each used by one transaction or query at a time. */
export function serializeTransactions(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serializeConnection(await factory.connect()),
  };
}
