// Cloud API error codes and what the app does about each: retry with backoff,
// or record the failure with a reason a merchant can read.

/** Codes worth retrying later (throughput, rate limits, transient outages). */
const RETRYABLE = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 131057, 133004]);

export function isRetryableError(code: number): boolean {
  return RETRYABLE.has(code);
}

/** Rate-limit codes: slow the sender down, not just this message. */
export function isThrottleError(code: number): boolean {
  return code === 130429 || code === 80007 || code === 4;
}
