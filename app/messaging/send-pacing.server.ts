// Per-number send pacing: when a send may leave its number. Meta's throughput
// per number, the in-memory limiter (one process), and the choice of the
// Redis-backed one (jobs/redis-limiter.server.ts) when REDIS_URL is set, so
// every process shares one pace.
import type { AppConfig } from "../core/config.server";
import type { Db } from "../core/db.server";
import { redisConnection } from "../jobs/redis.server";
import { RedisRateLimiter } from "../jobs/redis-limiter.server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Decides when a send may leave its number: `take` resolves when it may, with
 * the moment (Date.now()) it must have left by; a send held up past it takes
 * another. `pause` holds the number after a throttle error. `reserve` counts
 * messages the number received, which Meta counts against the same
 * throughput, as if sent now. In memory (SendRateLimiter, one process) or on
 * Redis (jobs/redis-limiter.server.ts, shared by every process).
 */
export interface RateLimiter {
  take(phoneNumberId: string, rate: number): Promise<number>;
  pause(phoneNumberId: string, ms: number): void;
  reserve(phoneNumberId: string, rate: number, count: number): Promise<void>;
}

// Below this, a timer's own lateness would send nearly every send back for another moment.
const MIN_LATENESS_MS = 20;

/**
 * How late after its moment a send may still leave. Sends spaced 1000 / allowed
 * ms apart, each up to L late, put at most allowed × (1 + L / 1000) in any
 * one-second window: the safety margin covers L = 1000 × (rate / allowed − 1).
 * A send gets half of that (88 ms at 80/s, 125 ms at 10/s); the other half is
 * for the way to Meta. Later (a timer fired late on a busy machine, a slow
 * write before the request), it would bunch with the sends on time, so it
 * takes a new moment. With no margin to speak of (1/s) it goes as it is.
 */
export function latenessAllowedMs(rate: number, allowed: number): number {
  const margin = 500 * (rate / allowed - 1);
  return margin < MIN_LATENESS_MS ? Number.POSITIVE_INFINITY : margin;
}

/** Sends let go in any one-second window: the number's throughput less the safety margin, at least one. */
export function sendsAllowedPerSecond(rate: number, safety: number): number {
  return Math.max(1, Math.floor(rate * safety));
}

/** Meta's default throughput: 80 messages/s per number, 20 for Coexistence numbers. */
export function throughputFor(account: { coexistence: boolean }, override?: number): number {
  return override ?? (account.coexistence ? 20 : 80);
}

/**
 * Paces sends per phone number, deciding when a send is let go: at most
 * `rate × SAFETY` in any one-second window, and never closer together than
 * the even spacing, so sends held up by a busy event loop leave one by one
 * instead of in a burst that Meta would count against the limit. A throttle
 * error pauses the number. It paces one process only: several worker
 * processes share a pace through Redis instead (limiterFor).
 */
export class SendRateLimiter implements RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  static readonly SAFETY = 0.85;

  async take(phoneNumberId: string, rate: number): Promise<number> {
    const allowed = sendsAllowedPerSecond(rate, SendRateLimiter.SAFETY);
    const gapMs = 1000 / allowed;
    for (;;) {
      const now = Date.now();
      const paused = this.pausedUntil.get(phoneNumberId) ?? 0;
      const window = (this.sent.get(phoneNumberId) ?? []).filter((t) => now - t < 1000);
      this.sent.set(phoneNumberId, window);
      const last = window.at(-1);
      const waitGap = last === undefined ? 0 : last + gapMs - now;
      const waitWindow = window.length >= allowed ? window[0]! + 1000 - now : 0;
      const wait = Math.max(paused - now, waitGap, waitWindow);
      if (wait <= 0) {
        window.push(now);
        return now + latenessAllowedMs(rate, allowed);
      }
      await sleep(Math.ceil(wait));
    }
  }

  pause(phoneNumberId: string, ms: number): void {
    this.pausedUntil.set(phoneNumberId, Math.max(this.pausedUntil.get(phoneNumberId) ?? 0, Date.now() + ms));
  }

  /** Received messages take places in the window now, as sends would: the next sends wait for them to leave it. */
  async reserve(phoneNumberId: string, _rate: number, count: number): Promise<void> {
    const window = this.sent.get(phoneNumberId) ?? [];
    const now = Date.now();
    for (let i = 0; i < count; i++) window.push(now);
    this.sent.set(phoneNumberId, window);
  }
}

/** What pacing needs: the accounts (each number's throughput) and where the shared pace lives. */
export interface PacingDeps {
  db: Db;
  config: Pick<AppConfig, "REDIS_URL" | "WHATSAPP_RATE_PER_SECOND">;
}

/**
 * Messages the numbers just received, per phone number id: Meta counts a
 * number's inbound and outbound messages together against its throughput
 * (80/s: ../shared/whatsapp-cloud-api.md §5), so its pace leaves room for them.
 * Customers replying to a campaign keep replying: what arrived in the last
 * seconds stands for what arrives in the next.
 */
export async function reserveInbound(deps: PacingDeps, received: Map<string, number>): Promise<void> {
  const accounts = await deps.db.whatsAppAccount.findMany({
    where: { phoneNumberId: { in: [...received.keys()] } },
    select: { phoneNumberId: true, coexistence: true },
    distinct: ["phoneNumberId"],
  });
  const limiter = limiterFor(deps.config);
  await Promise.all(
    accounts.map(({ phoneNumberId, coexistence }) =>
      phoneNumberId ? limiter.reserve(phoneNumberId, throughputFor({ coexistence }, deps.config.WHATSAPP_RATE_PER_SECOND), received.get(phoneNumberId) ?? 0) : undefined,
    ),
  );
}

/**
 * The process's limiter: the dispatch loop and staff replies share one pace per
 * number. With REDIS_URL set it stands for the Redis-backed one (limiterFor),
 * so every process shares the pace.
 */
export const processLimiter = new SendRateLimiter();

const sharedLimiters = globalThis as unknown as { zapSharedLimiters?: Map<string, RateLimiter> };

/** The limiter sends go through: shared on Redis when REDIS_URL is set, else this process's own. */
export function limiterFor(config: Pick<AppConfig, "REDIS_URL">): RateLimiter {
  const url = config.REDIS_URL;
  if (!url) return processLimiter;
  sharedLimiters.zapSharedLimiters ??= new Map();
  let limiter = sharedLimiters.zapSharedLimiters.get(url);
  if (!limiter) {
    limiter = new RedisRateLimiter(redisConnection(url, "commands"), SendRateLimiter.SAFETY);
    sharedLimiters.zapSharedLimiters.set(url, limiter);
  }
  return limiter;
}
