// Worker leases: each worker process holds a lease it renews every
// LEASE_BEAT_MS. Receipts and messages it claims name the lease; when the
// lease stops beating for LEASE_TTL_MS (the process was killed, or its host
// died) other workers take that work again at their next look (sends within
// 2 s; receipts at the database poll, every 200 ms or 5 s with Redis), instead of waiting for
// its lock to run out (a minute for receipts, lock + grace for sends). A
// worker that is only slow loses nothing by this: its later writes to a send
// or a receipt are fenced by its claim (the attempt count it claimed with), and
// receipt handlers are idempotent. Heartbeats use each host's clock: hosts
// keep their clocks in sync (NTP), as BullMQ's own locks also assume.
import { randomUUID } from "node:crypto";

import type { Db } from "../core/db.server";
import { log } from "../core/log.server";

export const LEASE_BEAT_MS = 2_000;
export const LEASE_TTL_MS = 10_000;
/**
 * Leases dead this long are forgotten (and deleted): anything they still named
 * is free by its lock by then (a receipt's minute; a send's DISPATCH_LOCK_MS +
 * DISPATCH_RECOVERY_GRACE_MS, 6 minutes by default).
 */
const FORGET_AFTER_MS = 60 * 60 * 1000;

export interface Lease {
  readonly id: string;
  /** Resolves once the lease is stored (claims made before would name a lease nobody can see). */
  readonly ready: Promise<void>;
  /** Stops beating and removes the lease: call after the worker's work in flight is done. */
  close(): Promise<void>;
}

export function openLease(db: Db): Lease {
  const id = randomUUID();
  const beat = async () => {
    try {
      await db.workerLease.update({ where: { id }, data: { heartbeatAt: new Date() } });
    } catch (error) {
      log.warn({ err: error }, "Could not renew this worker's lease");
    }
  };
  const ready = (async () => {
    await db.workerLease.create({ data: { id, heartbeatAt: new Date() } });
    await db.workerLease.deleteMany({ where: { heartbeatAt: { lt: new Date(Date.now() - FORGET_AFTER_MS) } } });
  })();
  const timer = setInterval(() => void beat(), LEASE_BEAT_MS);
  timer.unref();
  return {
    id,
    ready,
    close: async () => {
      clearInterval(timer);
      await ready.catch(() => undefined);
      await db.workerLease.deleteMany({ where: { id } });
    },
  };
}

/** Leases that stopped beating (lately; the most recent first): whatever they claimed may be taken again now. */
export async function deadLeases(db: Db, now = new Date()): Promise<string[]> {
  const rows = await db.workerLease.findMany({
    where: { heartbeatAt: { lt: new Date(now.getTime() - LEASE_TTL_MS), gte: new Date(now.getTime() - FORGET_AFTER_MS) } },
    orderBy: { heartbeatAt: "desc" },
    select: { id: true },
    take: 100,
  });
  return rows.map((row) => row.id);
}
