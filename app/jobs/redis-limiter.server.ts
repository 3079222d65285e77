// Per-number send pacing shared by every process (REDIS_URL set): the same
// interface as the in-memory SendRateLimiter (take / pause / reserve), so that any number
// of worker processes together stay under the number's throughput.
//
// Each number has one Redis hash: `next`, the earliest moment the next send may
// leave, and `paused`, the end of a throttle pause (130429). A take is one
// atomic script on Redis's own clock: the send gets the slot max(now, next,
// paused) and moves `next` one even gap (1000 / allowed ms) further, so slots
// are spaced evenly across all processes and at most `allowed` fall in any
// one-second window. The caller then waits for its slot with a timer (never
// blocking the event loop). A pause set by any process pushes every later slot
// past it; a send that already holds a slot and learns of a newer pause while
// waiting takes a new slot after it, and so does one whose timer fired later
// than the safety margin absorbs (latenessAllowedMs). Messages the number
// received take slots as sends would: `next` moves on a gap for each.
import type { Redis } from "ioredis";

import { latenessAllowedMs, type RateLimiter, sendsAllowedPerSecond } from "../messaging/send-pacing.server";
import { log } from "../core/log.server";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Every script starts from Redis's own clock, in ms, so all processes share one.
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

// KEYS[1]: the number's hash. ARGV[1]: gap between sends (ms, fractional).
// Returns { wait before sending (ms), pause still ahead (ms) } as strings (Lua numbers lose fractions).
const TAKE = `${NOW_MS}local gap = tonumber(ARGV[1])
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused') or '0')
local slot = math.max(now, next, paused)
redis.call('HSET', KEYS[1], 'next', string.format('%.3f', slot + gap))
redis.call('PEXPIRE', KEYS[1], math.ceil(slot + gap - now) + 60000)
return { string.format('%.3f', slot - now), string.format('%.3f', math.max(0, paused - now)) }
`;

// KEYS[1]: the number's hash. ARGV[1]: pause length (ms). Extends, never shortens, a pause.
const PAUSE = `${NOW_MS}local untilMs = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused') or '0')
if untilMs > paused then
  redis.call('HSET', KEYS[1], 'paused', string.format('%.3f', untilMs))
  paused = untilMs
end
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(paused, next) - now) + 60000)
return string.format('%.3f', paused - now)
`;

// KEYS[1]: the number's hash. ARGV[1]: gap between sends (ms, fractional). ARGV[2]: messages received.
// They take the next slots, as sends would: later slots move on by as many gaps.
const RESERVE = `${NOW_MS}local next = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'next') or '0')) + tonumber(ARGV[1]) * tonumber(ARGV[2])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused') or '0')
redis.call('HSET', KEYS[1], 'next', string.format('%.3f', next))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(paused, next) - now) + 60000)
return string.format('%.3f', next - now)
`;

type PacingRedis = Redis & {
  zapPaceTake(key: string, gapMs: string): Promise<[string, string]>;
  zapPacePause(key: string, ms: string): Promise<string>;
  zapPaceReserve(key: string, gapMs: string, count: string): Promise<string>;
};

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: PacingRedis;
  /** What this process knows of each number's pause: until when (local clock) and since when it knew. */
  private readonly pauses = new Map<string, { until: number; learnedAt: number }>();
  private readonly announced = new Set<string>();

  constructor(
    redis: Redis,
    private readonly safety: number,
    private readonly prefix = "zap:pace:",
  ) {
    if (!("zapPaceTake" in redis)) {
      redis.defineCommand("zapPaceTake", { numberOfKeys: 1, lua: TAKE });
      redis.defineCommand("zapPacePause", { numberOfKeys: 1, lua: PAUSE });
      redis.defineCommand("zapPaceReserve", { numberOfKeys: 1, lua: RESERVE });
    }
    this.redis = redis as PacingRedis;
  }

  private gapMs(allowed: number): string {
    return (1000 / allowed).toFixed(3);
  }

  async take(phoneNumberId: string, rate: number): Promise<number> {
    const allowed = sendsAllowedPerSecond(rate, this.safety);
    const gapMs = this.gapMs(allowed);
    const lateness = latenessAllowedMs(rate, allowed);
    if (!this.announced.has(phoneNumberId)) {
      this.announced.add(phoneNumberId);
      log.debug({ phoneNumberId, allowed }, "Pacing this number through Redis, shared by every worker");
    }
    for (;;) {
      const reservedAt = Date.now();
      const [wait, pausedFor] = await this.redis.zapPaceTake(this.prefix + phoneNumberId, gapMs);
      this.learnPause(phoneNumberId, Number(pausedFor));
      const waitMs = Number(wait);
      if (waitMs > 0) await sleep(Math.ceil(waitMs));
      const pause = this.pauses.get(phoneNumberId);
      // Paused by another send after this slot was handed out: take a slot after the pause instead.
      if (pause && pause.learnedAt > reservedAt && pause.until > Date.now()) continue;
      // The slot's moment on this clock, at the earliest (Redis read its clock after reservedAt).
      const leaveBy = reservedAt + waitMs + lateness;
      // Woken too late (a busy machine): going now would bunch with the slots after it.
      if (Date.now() > leaveBy) continue;
      return leaveBy;
    }
  }

  pause(phoneNumberId: string, ms: number): void {
    this.learnPause(phoneNumberId, ms);
    this.redis
      .zapPacePause(this.prefix + phoneNumberId, String(Math.round(ms)))
      .then((left) => this.learnPause(phoneNumberId, Number(left)))
      .catch((error: unknown) => log.warn({ err: error, phoneNumberId }, "Could not share a throughput pause through Redis"));
  }

  /** At most a second's worth of slots, as in memory: Meta counted them in the second they came. */
  async reserve(phoneNumberId: string, rate: number, count: number): Promise<void> {
    if (count <= 0) return;
    const allowed = sendsAllowedPerSecond(rate, this.safety);
    await this.redis
      .zapPaceReserve(this.prefix + phoneNumberId, this.gapMs(allowed), String(Math.min(count, allowed)))
      .then(() => undefined)
      .catch((error: unknown) => log.warn({ err: error, phoneNumberId }, "Could not reserve received messages in the shared pace"));
  }

  private learnPause(phoneNumberId: string, ms: number): void {
    if (!(ms > 0)) return;
    const now = Date.now();
    const known = this.pauses.get(phoneNumberId);
    if (known && known.until >= now + ms - 5) return;
    this.pauses.set(phoneNumberId, { until: now + ms, learnedAt: now });
  }
}
