// Unique constraints are how the app de-duplicates (webhook receipts, status
// events, idempotency keys): an insert that hits one means "already done".
import { Prisma } from "../generated/prisma/client";

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Runs an insert; returns null instead of throwing when the row already exists. */
export async function insertOnce<T>(insert: () => Promise<T>): Promise<T | null> {
  try {
    return await insert();
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/**
 * The `update` of an upsert meant only to create the row: a key field set to
 * the value the row already has. With an empty `update` Prisma reads, then
 * inserts, and the insert fails (P2002, which also aborts a PostgreSQL
 * transaction) when another process created the row in between; with a field
 * to set it writes one INSERT … ON CONFLICT DO UPDATE, which cannot fail that
 * way, in one statement instead of up to four. A model with @updatedAt has it
 * moved when the row already existed.
 */
export function singleStatementUpsert<T extends Record<string, string>>(sameValues: T): T {
  return sameValues;
}
