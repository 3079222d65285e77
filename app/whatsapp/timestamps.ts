// Meta's webhook timestamps: Unix seconds as a string. A value outside the
// span WhatsApp can have produced (before 2009, or more than a day ahead) is
// a malformed payload, rejected with its field named, not a date to store.
import { z } from "zod";

const EARLIEST_MS = Date.UTC(2009, 0, 1);
const AHEAD_MS = 24 * 60 * 60 * 1000;

export const unixSeconds = z
  .string()
  .regex(/^\d{1,12}$/, "not Unix seconds")
  .refine((value) => {
    const ms = Number(value) * 1000;
    return ms >= EARLIEST_MS && ms <= Date.now() + AHEAD_MS;
  }, "timestamp out of range");

/** Unix seconds as Meta sends them in some payloads (user_preferences): a number or a string, checked as unixSeconds is. */
export const unixSecondsValue = z.union([z.number().int().nonnegative().transform(String), z.string()]).pipe(unixSeconds);

/** An envelope entry's `time` (when Meta triggered the webhook: Unix seconds, or milliseconds); now when absent. */
export function entryTime(time: number | undefined): Date {
  if (!time) return new Date();
  return new Date(time > 1e12 ? time : time * 1000);
}
