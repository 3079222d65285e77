// Dispatch: sends the message rows that are due, at the number's throughput.
//
// Exactly once, across crashes: a row is claimed (QUEUED → SENDING, with a
// lock) by a compare-and-set, so two workers never take the same row; a row a
// request sends at once is written already claimed (claims.server.ts). Just
// before the request leaves, the row records sendAttemptedAt. Each send
// carries biz_opaque_callback_data "msg:<row id>", which Meta echoes on every
// status: if the answer is lost (the process died, the request timed out),
// the first status webhook ties the wamid to the row (messages.server.ts).
// A send whose outcome is unknown is never resent blind (send-recovery.server.ts).
//
// The interface is one function, dispatchDue(), driven by the built-in loop in
// every worker process. Pacing per number is a RateLimiter (send-pacing.server.ts):
// in memory, or on Redis (REDIS_URL) so that all worker processes together stay
// under the cap.
import { z } from "zod";

import { outsideQuietHours, templateHeld } from "./automations.server";
import { campaignQuietHours, recipientTimeZone } from "../campaigns/local-time";
import { consentFor, optOutOfMarketing } from "./consent.server";
import { marketingHeldUntil } from "./conversations.server";
import { decryptSecret } from "../core/crypto.server";
import type { Db } from "../core/db.server";
import { cancelled, STATUS_RANK } from "../core/domain";
import type { Message } from "../generated/prisma/client";
import { groupCommit } from "../core/concurrency";
import { log } from "../core/log.server";
import { type Accepted, changeMessage, recordAcceptedMany } from "./messages.server";
import { claimDue, type ClaimOptions, postponeClaimed } from "./claims.server";
import { settleInterruptedSends } from "./send-recovery.server";
import { limiterFor, processLimiter, type RateLimiter, throughputFor } from "./send-pacing.server";
import type { OutgoingMessage } from "../whatsapp/client.server";
import { isThrottleError } from "../whatsapp/errors";
import { reason } from "../core/reasons";
import type { AppDeps } from "../core/deps";

export interface DispatchOptions {
  batchSize?: number;
  concurrency?: number;
  lockMs?: number;
  recoveryGraceMs?: number;
  lane?: ClaimOptions["lane"];
}

const MAX_ATTEMPTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An automatic free-text answer not sent within this (a backlog, retries) is not sent at all. */
export const AUTO_ANSWER_TTL_MS = 10 * 60 * 1000;

/**
 * What a pass reads once per shop or template instead of once per message:
 * the account, the shop and the template, each loaded on first use. A pass
 * lasts about a second, so a change made meanwhile applies from the next one.
 */
export class PassLookups {
  private readonly loaded = new Map<string, Promise<unknown>>();
  constructor(private readonly db: Db) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.loaded.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.loaded.set(key, value);
      // A failed read is not kept: the pass's next message of that shop reads again.
      value.catch(() => this.loaded.delete(key));
    }
    return value;
  }

  account(shopId: string) {
    return this.once(`account:${shopId}`, () => this.db.whatsAppAccount.findUnique({ where: { shopId } }));
  }

  shop(shopId: string) {
    return this.once(`shop:${shopId}`, () => this.db.shop.findUniqueOrThrow({ where: { id: shopId } }));
  }

  template(id: string) {
    return this.once(`template:${id}`, () => this.db.template.findUnique({ where: { id } }));
  }

  campaignQuietHours(shopId: string) {
    return this.once(`quiet:${shopId}`, () => campaignQuietHours(this.db, shopId));
  }
}

// body: the body's parameters; buttons: the payload of each quick-reply button, by index (Meta sends it back when tapped);
// links: what fills the variable at the end of the URL button at each index.
const paramsSchema = z
  .object({
    body: z.array(z.string()).default([]),
    buttons: z.array(z.string()).default([]),
    links: z.array(z.object({ index: z.number().int().min(0), text: z.string() })).default([]),
    text: z.string().optional(),
  })
  .catch({ body: [], buttons: [], links: [] });

function outgoingFor(message: Message): OutgoingMessage | null {
  if (!message.recipientPhone) return null;
  const params = paramsSchema.parse(message.params ?? {});
  const bizOpaqueCallbackData = `msg:${message.id}`;
  if (message.type === "text") {
    const body = params.text ?? message.body;
    return body ? { type: "text", to: message.recipientPhone, text: { body }, bizOpaqueCallbackData } : null;
  }
  if (!message.templateName || !message.templateLanguage) return null;
  return {
    type: "template",
    to: message.recipientPhone,
    template: {
      name: message.templateName,
      language: { code: message.templateLanguage },
      components: [
        ...(params.body.length ? [{ type: "body", parameters: params.body.map((text) => ({ type: "text" as const, text })) }] : []),
        ...params.buttons.map((payload, index) => ({ type: "button", sub_type: "quick_reply", index: String(index), parameters: [{ type: "payload" as const, payload }] })),
        ...params.links.map((link) => ({ type: "button", sub_type: "url", index: String(link.index), parameters: [{ type: "text" as const, text: link.text }] })),
      ],
    },
    bizOpaqueCallbackData,
  };
}

/** `why`: a stored reason code (app/core/reasons.ts), or Meta's error title. */
async function finish(db: Db, message: Message, status: "FAILED" | "CANCELLED", why: string, error?: { code: number; details?: string }) {
  // A failure counts in the cost report's failure rate: tracked like a status.
  // Fenced by the claim (attempts): a worker that lost its claim meanwhile changes nothing.
  await changeMessage(db, message.shopId, message.id, (_tx, current) =>
    current.status !== "SENDING" || current.attempts !== message.attempts
      ? null
      : {
          lockedUntil: null,
          ...(status === "FAILED"
            ? { status, statusRank: STATUS_RANK.FAILED, failedAt: new Date(), errorCode: error?.code ?? null, errorTitle: why, errorDetails: error?.details ?? null }
            : cancelled(why)),
        },
  );
}

/**
 * Sends one claimed row; every outcome is written back to it. `accept`
 * records an accepted send (a pass commits those that arrive together at once).
 */
export async function sendClaimed(
  deps: AppDeps,
  limiter: RateLimiter,
  message: Message,
  lookups = new PassLookups(deps.db),
  accept: (sent: Accepted) => Promise<void> = (sent) => recordAcceptedMany(deps.db, [sent]),
): Promise<void> {
  const { db, config } = deps;
  // The process's limiter means the shared one when REDIS_URL is set (staff replies in a web process).
  const pace = limiter === processLimiter ? limiterFor(config) : limiter;
  const account = await lookups.account(message.shopId);
  if (!account?.accessTokenCiphertext || !account.phoneNumberId || account.onboardingState !== "CONNECTED") {
    return finish(db, message, "FAILED", reason("NOT_CONNECTED"));
  }
  // An automatic answer is about the moment it was written ("we are closed now", the order's status then).
  if (message.source === "AUTOMATION" && !message.templateId && Date.now() - message.createdAt.getTime() > AUTO_ANSWER_TTL_MS) {
    return finish(db, message, "CANCELLED", reason("ANSWER_TOO_LATE"));
  }
  if (message.checkoutId) {
    const checkout = await db.checkout.findUnique({ where: { id: message.checkoutId } });
    if (checkout?.completedAt || checkout?.orderId) return finish(db, message, "CANCELLED", reason("CHECKOUT_COMPLETED"));
  }
  if (message.templateId && message.contactId) {
    // Consent can change between queueing and sending (an opt-out, a blocked market).
    const [template, contact, shop] = await Promise.all([lookups.template(message.templateId), db.contact.findUnique({ where: { id: message.contactId } }), lookups.shop(message.shopId)]);
    // So can the template: a language Meta paused after this row was queued stops here.
    const held = template ? templateHeld(template) : null;
    if (held) return finish(db, message, "CANCELLED", held);
    if (template && contact) {
      const consent = consentFor(template.category, shop, contact);
      if (!consent.allowed) return finish(db, message, "CANCELLED", consent.reason);
      // Marketing waits while a person handles the customer (in the app, or on the phone app).
      const heldUntil = template.category === "MARKETING" ? await marketingHeldUntil(db, contact.id) : null;
      if (heldUntil) return postponeClaimed(db, message, heldUntil);
      // A campaign row due in the recipient's quiet hours (resumed late, a backlog) waits for their morning.
      if (message.campaignId) {
        const allowed = outsideQuietHours(new Date(), recipientTimeZone(contact.countryCode, shop.timezone), await lookups.campaignQuietHours(message.shopId));
        if (allowed.getTime() > Date.now()) return postponeClaimed(db, message, allowed);
      }
    }
  }
  const outgoing = outgoingFor(message);
  if (!outgoing) return finish(db, message, "FAILED", reason("NO_CONTENT"));

  const rate = throughputFor(account, config.WHATSAPP_RATE_PER_SECOND);
  let leaveBy = await pace.take(account.phoneNumberId, rate);
  const client = deps.graph.withToken(decryptSecret(account.accessTokenCiphertext, config.encryptionKey));
  // `attempts` is this claim's fencing token: if the lock ran out and another worker
  // re-claimed the row meanwhile, this one must not send it too.
  const marked = await db.message.updateMany({ where: { id: message.id, status: "SENDING", attempts: message.attempts }, data: { sendAttemptedAt: new Date() } });
  if (marked.count === 0) return;
  // Held up past its moment by the write (a busy database, a busy machine): a new one, not a burst with the sends on time.
  while (Date.now() > leaveBy) leaveBy = await pace.take(account.phoneNumberId, rate);
  const result = await client.sendMessage(account.phoneNumberId, outgoing);
  if (result.ok) {
    await accept({ shopId: message.shopId, messageId: message.id, wamid: result.value.messages[0]!.id });
    return;
  }
  const error = result.error;
  if (error.outcomeUnknown) {
    // Meta may have the message: wait for its status (biz_opaque_callback_data ties it), never resend blind.
    await db.message.updateMany({
      where: { id: message.id, status: "SENDING", attempts: message.attempts, wamid: null },
      data: { status: "UNCONFIRMED", statusRank: STATUS_RANK.UNCONFIRMED, lockedUntil: null, errorCode: error.code, errorTitle: error.message },
    });
    return;
  }
  if (isThrottleError(error.code)) pace.pause(account.phoneNumberId, Math.min(1000 * 2 ** Math.min(message.attempts, 5), 30_000));
  if (error.retryable && message.attempts < MAX_ATTEMPTS) {
    const backoffMs = Math.min(2 ** message.attempts * 1000, 10 * 60 * 1000) * (0.75 + Math.random() * 0.5);
    await db.message.updateMany({
      where: { id: message.id, status: "SENDING", attempts: message.attempts },
      data: {
        status: "QUEUED",
        statusRank: STATUS_RANK.QUEUED,
        lockedUntil: null,
        sendAttemptedAt: null,
        scheduledFor: new Date(Date.now() + backoffMs),
        errorCode: error.code,
        errorTitle: error.message,
      },
    });
    return;
  }
  // Meta's own words stay as they are (shown as a detail); giving up on retries is ours to say.
  const why = error.retryable ? reason("SEND_GAVE_UP", { attempts: message.attempts, detail: error.message }) : error.message;
  await finish(db, message, "FAILED", why, { code: error.code, details: error.details });
  // 131050: the customer stopped marketing from this business in WhatsApp; nothing more goes to them.
  if (error.code === 131050 && message.contactId) await optOutOfMarketing(db, message.shopId, message.contactId, "whatsapp_131050");
}

/** How often a dispatcher looks for sends abandoned by a dead worker (their lock and grace last far longer). */
const RECOVERY_EVERY_MS = 2_000;

/** One pass: claim what is due and send it with bounded concurrency. Returns how many rows it took. */
export async function dispatchDue(deps: AppDeps, limiter: RateLimiter, options: DispatchOptions & { recover?: boolean } = {}): Promise<number> {
  if (options.recover ?? true) await settleInterruptedSends(deps.db, options.recoveryGraceMs ?? deps.config.DISPATCH_RECOVERY_GRACE_MS, deps.config);
  const claimed = await claimDue(deps.db, {
    batchSize: options.batchSize ?? 50,
    lockMs: options.lockMs ?? deps.config.DISPATCH_LOCK_MS,
    lane: options.lane,
    ratePerSecond: deps.config.WHATSAPP_RATE_PER_SECOND,
    leaseId: deps.leaseId,
  });
  const queue = [...claimed];
  const lookups = new PassLookups(deps.db);
  // Sends Meta accepted while the previous acceptances were being written are written together.
  const accept = groupCommit((sent: Accepted[]) => recordAcceptedMany(deps.db, sent));
  const workers = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      try {
        await sendClaimed(deps, limiter, message, lookups, accept);
      } catch (error) {
        // Left SENDING with its lock: recovered after the grace period.
        log.error({ messageId: message.id, err: error }, "Sending a message failed unexpectedly");
      }
    }
  });
  await Promise.all(workers);
  return claimed.length;
}

/** A utility pass's batch: small, so that it ends soon and a new order's message is claimed at the next look. */
const UTILITY_LANE_BATCH = 10;

/**
 * The built-in loops: dispatch until stopped, polling when idle. Beside the
 * main loop, a priority lane takes only utility rows (order updates, replies):
 * a pass of the main loop lasts as long as its batch of a campaign's sends,
 * and an order placed meanwhile is sent at the lane's next look instead of
 * after it. Both draw on the same pacing, so the number's cap holds.
 */
export function startDispatcher(deps: AppDeps, options: DispatchOptions & { pollMs?: number; limiter?: RateLimiter } = {}): { stop: () => Promise<void> } {
  const limiter = options.limiter ?? limiterFor(deps.config);
  let running = true;
  let recoveredAt = 0;
  const loop = async (lane: "all" | "utility") => {
    while (running) {
      try {
        const recover = lane === "all" && Date.now() - recoveredAt >= RECOVERY_EVERY_MS;
        if (recover) recoveredAt = Date.now();
        const taken = await dispatchDue(deps, limiter, lane === "all" ? { ...options, recover } : { ...options, recover, lane, batchSize: UTILITY_LANE_BATCH });
        if (taken === 0) await sleep(options.pollMs ?? 250);
      } catch (error) {
        log.error({ err: error }, "Dispatch pass failed");
        await sleep(1000);
      }
    }
  };
  const loops = Promise.all([loop("all"), loop("utility")]);
  return {
    stop: async () => {
      running = false;
      await loops;
    },
  };
}
