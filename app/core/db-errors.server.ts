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
