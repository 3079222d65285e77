// Times Shopify writes in its payloads (created_at, updated_at, consent_updated_at).

const DAY_MS = 86_400_000;

/** A time Shopify wrote, if it is a real one no later than a day ahead of ours (a clock far ahead would outrank every later change). */
export function shopifyTime(value: string | null | undefined): Date | undefined {
  const at = value ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) && at.getTime() <= Date.now() + DAY_MS ? at : undefined;
}
