// Intake on SQLite without waiting for the worker's transactions.
//
// SQLite has one writer per file, and the web process shares the file with its
// worker. A webhook whose insert found the worker's transaction holding the
// write lock used to wait for it, and a worker at a lower CPU priority can be
// preempted while it holds the lock (at 200 webhooks/s, about 1 in 20 waited,
// a few up to 290 ms). Now the receipt goes to a spool file next to the database
// instead (one appended line), the webhook is answered, and the spool is
// moved into the receipts table as soon as the lock is free. A duplicate
// delivery is found then, by the receipt's unique key, as it would have been
// at once.
//
// Durability is the database's own: SQLite runs with synchronous=NORMAL (a
// commit survives the process, not the machine), and a line appended to a file
// survives the process the same way. A line cut short by a crash was never
// answered (the answer waits for the append), so it is skipped and the
// platform delivers it again. Each process spools to its own file; a process
// starting finds the files of processes that are gone and moves them in.
// PostgreSQL has no such lock: its inserts are never spooled.
import { randomUUID } from "node:crypto";
import { appendFileSync, closeSync, openSync, readdirSync, renameSync } from "node:fs";
import { readdir, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";

import { z } from "zod";

import { insertOnce } from "../core/db-errors.server";
import { type Db, sqliteFileOf } from "../core/db.server";
import type { WebhookSource } from "../core/domain";
import { log } from "../core/log.server";
import { whileLockedFailFast } from "../core/sqlite-serial.server";

const receiptSchema = z.object({ source: z.enum(["SHOPIFY", "META"]), dedupeKey: z.string(), topic: z.string(), payload: z.string() });
export type ReceiptInsert = z.infer<typeof receiptSchema>;

/** A stored receipt's id, null for a duplicate, or "spooled": written to the spool, stored as soon as the lock is free. */
export type StoreOutcome = { id: string } | null | "spooled";

const SPOOL_SUFFIX = ".intake-spool";
const RETRY_MS = 1000;

type Announce = (receiptId: string, source: WebhookSource) => void;
const announcers: Announce[] = [];

/** Called for every receipt moved from a spool into the table (the intake announces it to the workers). */
export function onSpooledReceiptStored(announce: Announce): void {
  announcers.push(announce);
}

interface Spool {
  file: string;
  /** Open for appending to `file` (closed before the drain renames it). */
  fd: number | null;
  /** Lines appended to `file` since the drain last took it. */
  appended: number;
  /** Set when an append failed: it may have left part of a line, which the next append ends first. */
  cut: boolean;
  /** Files taken from the spool and not yet stored, each read once (null until then), with the lines already done (a drain that stops keeps them for the next). */
  taken: { file: string; lines: string[] | null; done: number }[];
  draining: boolean;
}
const spools = new Map<string, Spool>();

function spoolFor(databaseFile: string): Spool {
  const file = `${databaseFile}${SPOOL_SUFFIX}.${process.pid}`;
  let spool = spools.get(file);
  if (!spool) {
    spool = { file, fd: null, appended: 0, cut: false, taken: [], draining: false };
    spools.set(file, spool);
  }
  return spool;
}

/**
 * Stores a receipt; on SQLite, when another process holds the write lock,
 * spools it instead of waiting. While receipts wait in the spool, new ones
 * join them (in arrival order, and without a failed insert each).
 */
export async function storeReceipt(db: Db, data: ReceiptInsert): Promise<StoreOutcome> {
  const insert = () => db.webhookReceipt.create({ data, select: { id: true } });
  const databaseFile = sqliteFileOf(db);
  if (!databaseFile) return insertOnce(insert);
  const spool = spoolFor(databaseFile);
  if (spool.appended === 0 && spool.taken.length === 0) {
    const attempt = await whileLockedFailFast(() => insertOnce(insert));
    if (!attempt.locked) return attempt.value;
  }
  // Written synchronously: one small write into the page cache, which waits for the disk only when
  // the kernel holds back writers (too much unwritten data). Appends then need no queue, and the
  // drain's close and rename (synchronous too) never fall inside one. (Through the thread pool,
  // appends went one after another, each waiting for a pool thread to be scheduled.)
  const line = `${spool.cut ? "\n" : ""}${JSON.stringify(data)}\n`;
  spool.fd ??= openSync(spool.file, "a");
  spool.cut = true;
  appendFileSync(spool.fd, line);
  spool.cut = false;
  spool.appended++;
  drainSoon(db, spool, 0);
  return "spooled";
}

/** While the lock is held, the drain looks again this often (it never waits inside the database: see storeLines). */
const LOCKED_RETRY_MS = 20;

function drainSoon(db: Db, spool: Spool, ms: number): void {
  if (spool.draining) return;
  spool.draining = true;
  setTimeout(() => {
    drain(db, spool)
      .then(() => {
        spool.draining = false;
        // Locked again, or appended to meanwhile: go on shortly.
        if (spool.appended > 0 || spool.taken.length > 0) drainSoon(db, spool, LOCKED_RETRY_MS);
      })
      .catch((error: unknown) => {
        log.warn({ err: error }, "Could not move spooled webhook receipts into the database; trying again");
        spool.draining = false;
        drainSoon(db, spool, RETRY_MS);
      });
  }, ms);
}

/**
 * Moves the process's spool into the table: taken first (closed and renamed,
 * so new appends start a new file), then inserted line by line until the
 * lock is taken again, where the next drain goes on.
 */
async function drain(db: Db, spool: Spool): Promise<void> {
  if (spool.appended > 0) {
    const taken = `${spool.file}.${randomUUID()}.draining`;
    // Released even when close fails (the descriptor is gone either way): never written to again.
    const fd = spool.fd;
    spool.fd = null;
    if (fd !== null) closeSync(fd);
    renameSync(spool.file, taken);
    spool.appended = 0;
    // Listed before it is read, so receipts arriving meanwhile still join the spool behind it.
    spool.taken.push({ file: taken, lines: null, done: 0 });
  }
  while (spool.taken.length > 0) {
    const file = spool.taken[0]!;
    file.lines ??= (await readFile(file.file, "utf8")).split("\n");
    const progress = await storeLines(db, file.lines, file.done);
    file.done = progress.done;
    if (!progress.finished) return;
    await unlink(file.file);
    spool.taken.shift();
  }
}

/**
 * Inserts spooled receipts from line `from` on (duplicates are found by their
 * unique key). An insert that finds the lock held stops the pass instead of
 * waiting: a waiting statement would hold this process's one connection, and
 * the webhooks behind it would wait for the lock after all.
 */
async function storeLines(db: Db, lines: string[], from: number): Promise<{ finished: boolean; done: number; stored: number }> {
  let stored = 0;
  for (let i = from; i < lines.length; i++) {
    if (!lines[i]) continue;
    const parsed = receiptSchema.safeParse(parseLine(lines[i]!));
    if (!parsed.success) {
      log.warn("Skipped a spooled webhook receipt cut short (it was never answered, so it is delivered again)");
      continue;
    }
    const insert = () => insertOnce(() => db.webhookReceipt.create({ data: parsed.data, select: { id: true } }));
    const attempt = await whileLockedFailFast(insert);
    if (attempt.locked) return { finished: false, done: i, stored };
    if (!attempt.value) continue;
    stored++;
    for (const announce of announcers) announce(attempt.value.id, parsed.data.source);
  }
  return { finished: true, done: lines.length, stored };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/** Whether a process with this pid is running (one of another user counts: signalling it was refused, not missed). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A spool file's database (its file name) and the process it belongs to, or null for another file. */
function spoolOf(name: string): { database: string; pid: number } | null {
  const at = name.indexOf(`${SPOOL_SUFFIX}.`);
  if (at <= 0) return null;
  return { database: name.slice(0, at), pid: Number(name.slice(at + SPOOL_SUFFIX.length + 1).split(".")[0]) };
}

/**
 * The spool files in `dir` (of `databaseFile` only, when named) whose process is running: receipts
 * answered and not yet in the table. A gone process's spool waits for the next start (storeLeftoverSpools).
 */
export function pendingSpools(dir: string, databaseFile?: string): string[] {
  return readdirSync(dir).filter((name) => {
    const spool = spoolOf(name);
    return spool !== null && (!databaseFile || spool.database === path.basename(databaseFile)) && isAlive(spool.pid);
  });
}

/**
 * Moves in the spools left by processes that are gone (a crash, a restart)
 * and any drain they left half done; returns how many receipts it stored.
 * Each file is taken by renaming it, so two processes starting together never
 * store one twice (and the unique key would find it if they did).
 */
export async function storeLeftoverSpools(db: Db): Promise<number> {
  const databaseFile = sqliteFileOf(db);
  if (!databaseFile) return 0;
  const dir = path.dirname(databaseFile);
  const prefix = `${path.basename(databaseFile)}${SPOOL_SUFFIX}.`;
  let stored = 0;
  for (const name of await readdir(dir)) {
    const spool = spoolOf(name);
    if (spool?.database !== path.basename(databaseFile) || spool.pid === process.pid || isAlive(spool.pid)) continue;
    // Renamed to this process: while it stores them, they are its pending spool, not a gone process's.
    const taken = path.join(dir, `${prefix}${process.pid}.${randomUUID()}.leftover.draining`);
    try {
      await rename(path.join(dir, name), taken);
    } catch {
      continue;
    }
    const lines = (await readFile(taken, "utf8")).split("\n");
    for (let done = 0; ;) {
      const progress = await storeLines(db, lines, done);
      stored += progress.stored;
      if (progress.finished) break;
      done = progress.done;
      await new Promise((resolve) => setTimeout(resolve, LOCKED_RETRY_MS));
    }
    await unlink(taken);
  }
  return stored;
}
