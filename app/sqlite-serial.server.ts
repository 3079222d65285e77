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
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

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
    queryRaw: (query) => exclusive(() => adapter.queryRaw(query)),
    executeRaw: (query) => exclusive(() => adapter.executeRaw(query)),
    executeScript: (script) => exclusive(() => adapter.executeScript(script)),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      const release = await acquire();
      try {
        return holdingConnection(await adapter.startTransaction(isolationLevel), release);
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
