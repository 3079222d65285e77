// Connecting a shop's WhatsApp number after Meta's Embedded Signup, as a
// resumable state machine stored on the WhatsAppAccount row. Each step checks
// what is already done, so a retry (or a merchant pressing "Resume") repeats
// nothing: the code is exchanged once within its 30 s life, the number is
// registered only on the standard path, and Coexistence syncs are requested
// once each.
import { randomInt } from "node:crypto";

import { z } from "zod";

import { decryptSecret, encryptSecret } from "../core/crypto.server";
import type { Db, Tx } from "../core/db.server";
import type { OnboardingState } from "../core/domain";
import { log } from "../core/log.server";
import { requestBackfill } from "../shopify/admin/backfill.server";
import { type GraphErrorInfo, numberFacts } from "./client.server";
import { reason } from "../core/reasons";
import type { AppDeps } from "../core/deps";

export const signupEventSchema = z.object({
  type: z.literal("WA_EMBEDDED_SIGNUP"),
  event: z.string(),
  version: z.union([z.string(), z.number()]).optional(),
  data: z.record(z.unknown()).default({}),
});
export type SignupEvent = z.infer<typeof signupEventSchema>;

export type SignupEventMeaning =
  { kind: "finish"; coexistence: boolean; wabaId?: string; phoneNumberId?: string; businessId?: string } | { kind: "cancel"; step?: string } | { kind: "error"; message: string; errorId?: string };

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * What a session event means. Any FINISH* is success (FINISH_ONLY_WABA has no
 * number; the Coexistence finish may carry only waba_id); CANCEL with error
 * fields is a reported error; anything with ERROR is an error.
 */
export function readSignupEvent(event: SignupEvent): SignupEventMeaning {
  const data = event.data;
  if (event.event.startsWith("FINISH")) {
    return {
      kind: "finish",
      coexistence: event.event.includes("WHATSAPP_BUSINESS_APP"),
      wabaId: str(data.waba_id),
      phoneNumberId: str(data.phone_number_id),
      businessId: str(data.business_id),
    };
  }
  if (event.event.includes("ERROR") || str(data.error_message)) {
    return { kind: "error", message: str(data.error_message) ?? "Meta reported an error during signup", errorId: str(data.error_id) };
  }
  return { kind: "cancel", step: str(data.current_step) };
}

export type SignupResult =
  { ok: true; state: OnboardingState } | { ok: false; state: OnboardingState; step: string; /** A stored reason (app/core/reasons.ts) the pages word. */ reason: string; code?: number };

const SYNC_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Meta's refusal as a stored reason: its code, its own words as the detail. */
export function describe(error: GraphErrorInfo): string {
  return reason("META_ERROR", { code: error.code, detail: error.details ? `${error.message} (${error.details})` : error.message });
}

type Ownership = { ok: true; wabaId: string } | { ok: false; reason: string; code?: number };

/** The scopes under which Meta lists the WABAs a signup granted to the token. */
const WABA_SCOPES = ["whatsapp_business_management", "whatsapp_business_messaging"];

/**
 * Proves that the token a signup code was exchanged for reaches the WABA and
 * number the session event names. The event comes from the browser, so its
 * ids are only claims: a shop can finish signup with its own business and
 * post another business's ids next to its code. Only Meta's answers about the
 * new token count: debug_token lists the WABAs the signup granted, and the
 * WABA's numbers, listed with that token, are the ones it may use. Without a
 * claimed WABA (the redirect flow), the token's first one is taken.
 */
async function verifyOwnership(deps: AppDeps, token: string, claimed: { wabaId?: string; phoneNumberId?: string }): Promise<Ownership> {
  const { config, graph } = deps;
  const debug = await graph.debugToken(token, `${config.META_APP_ID}|${config.META_APP_SECRET}`);
  if (!debug.ok) return { ok: false, reason: reason("TOKEN_UNCHECKED", { code: debug.error.code, detail: debug.error.message }), code: debug.error.code };
  if (debug.value.data.is_valid === false) return { ok: false, reason: reason("TOKEN_INVALID") };
  const scopes = debug.value.data.granular_scopes ?? [];
  const granted = scopes.filter((s) => WABA_SCOPES.includes(s.scope)).flatMap((s) => s.target_ids ?? []);
  const wabaId = claimed.wabaId ?? scopes.find((s) => s.scope === "whatsapp_business_management")?.target_ids?.[0];
  if (!wabaId) return { ok: false, reason: reason("NO_WABA") };
  if (!granted.includes(wabaId)) return { ok: false, reason: reason("WABA_NOT_OWNED") };

  if (claimed.phoneNumberId) {
    const numbers = await graph.withToken(token).listPhoneNumbers(wabaId);
    if (!numbers.ok) return { ok: false, reason: reason("NUMBERS_UNREADABLE", { code: numbers.error.code, detail: numbers.error.message }), code: numbers.error.code };
    if (!numbers.value.data.some((n) => n.id === claimed.phoneNumberId)) {
      return { ok: false, reason: reason("NUMBER_NOT_OWNED") };
    }
  }
  return { ok: true, wabaId };
}

/** A signup that stopped: where, and why (a stored reason). */
export type SignupFailure = Extract<SignupResult, { ok: false }>;

export async function currentState(db: Db, shopId: string): Promise<OnboardingState> {
  const current = await db.whatsAppAccount.findUnique({ where: { shopId }, select: { onboardingState: true } });
  return (current?.onboardingState as OnboardingState | undefined) ?? "NOT_CONNECTED";
}

/**
 * Exchanges a signup code at once (it lives 30 s) and proves the token reaches
 * the WABA and number claimed (see verifyOwnership) before anything is stored.
 */
export async function exchangeAndVerify(
  deps: AppDeps,
  shopId: string,
  input: { code: string; redirectUri?: string; claimed: { wabaId?: string; phoneNumberId?: string } },
): Promise<{ ok: true; token: string; tokenExpiresAt: Date | null; wabaId: string } | SignupFailure> {
  const { config, graph } = deps;
  const exchanged = await graph.exchangeCode({ appId: config.META_APP_ID, appSecret: config.META_APP_SECRET, code: input.code, redirectUri: input.redirectUri });
  if (!exchanged.ok) {
    return { ok: false, state: await currentState(deps.db, shopId), step: "token", reason: describe(exchanged.error), code: exchanged.error.code };
  }
  const token = exchanged.value.access_token;
  const ownership = await verifyOwnership(deps, token, input.claimed);
  if (!ownership.ok) {
    log.warn({ shopId, graphCode: ownership.code }, "Embedded Signup refused: the new token does not reach the WhatsApp account it names");
    return { ok: false, state: await currentState(deps.db, shopId), step: "verify", reason: ownership.reason, code: ownership.code };
  }
  const tokenExpiresAt = exchanged.value.expires_in ? new Date(Date.now() + exchanged.value.expires_in * 1000) : null;
  return { ok: true, token, tokenExpiresAt, wabaId: ownership.wabaId };
}

/**
 * Embedded Signup finished in the admin (the SDK popup, under the staff
 * member's session): exchange the code, prove the token reaches the WABA and
 * number the session event names, then run the remaining steps.
 */
export async function completeSignup(deps: AppDeps, shopId: string, input: { code: string; event?: SignupEvent }): Promise<SignupResult> {
  const meaning = input.event ? readSignupEvent(input.event) : undefined;
  if (meaning && meaning.kind !== "finish") {
    return {
      ok: false,
      state: "NOT_CONNECTED",
      step: "signup",
      reason: meaning.kind === "cancel" ? reason("SIGNUP_CANCELLED", { detail: meaning.step }) : reason("SIGNUP_META_ERROR", { detail: meaning.message }),
    };
  }
  const verified = await exchangeAndVerify(deps, shopId, { code: input.code, claimed: { wabaId: meaning?.wabaId, phoneNumberId: meaning?.phoneNumberId } });
  if (!verified.ok) return verified;
  await storeSignup(deps.db, shopId, {
    wabaId: verified.wabaId,
    businessId: meaning?.businessId ?? null,
    phoneNumberId: meaning?.phoneNumberId ?? null,
    coexistence: meaning?.coexistence ?? false,
    accessTokenCiphertext: encryptSecret(verified.token, deps.config.encryptionKey),
    tokenExpiresAt: verified.tokenExpiresAt,
    signupCompletedAt: new Date(),
  });
  return continueOnboarding(deps, shopId, { coexistenceKnown: Boolean(meaning) });
}

/**
 * Writes a verified signup as a new onboarding. The token reaches the number,
 * so its business onboarded it again: the number moves to this shop and leaves
 * another shop's row, both or neither. With the link's issue time, a signup
 * completed since then spends it: nothing is written (true).
 */
export async function storeSignup(
  db: Db,
  shopId: string,
  signup: {
    wabaId: string;
    businessId: string | null;
    phoneNumberId: string | null;
    coexistence: boolean;
    accessTokenCiphertext: string;
    tokenExpiresAt: Date | null;
    signupCompletedAt: Date;
  },
  linkIssuedAt?: Date,
): Promise<boolean> {
  const data = {
    ...signup,
    onboardingState: "TOKEN_EXCHANGED",
    onboardingError: null,
    // A new signup is a new onboarding: its steps and syncs start afresh.
    subscribedAt: null,
    registeredAt: null,
    registrationPinCiphertext: null,
    contactsSyncRequestedAt: null,
    contactsSyncRequestId: null,
    historySyncRequestedAt: null,
    historySyncRequestId: null,
    historySyncProgress: null,
    historySyncError: null,
    connectedAt: null,
    disconnectedAt: null,
    disconnectReason: null,
    disconnectDetail: null,
    // Account events sent before this signup are about the old connection.
    connectionEventAt: new Date(),
    accountAlerts: null,
    accountAlertsSince: new Date(),
    // Decided by the number itself (continueOnboarding's first step).
    displayPhoneNumber: null,
    healthSyncedAt: null,
  };
  const phoneNumberId = data.phoneNumberId;
  return db.$transaction(async (tx) => {
    if (linkIssuedAt && (await signupSince(tx, shopId, linkIssuedAt))) return true;
    if (phoneNumberId) {
      await tx.whatsAppAccount.updateMany({ where: { phoneNumberId, NOT: { shopId } }, data: { phoneNumberId: null, onboardingState: "DISCONNECTED", disconnectReason: "NUMBER_MOVED" } });
    }
    await tx.whatsAppAccount.upsert({ where: { shopId }, create: { shopId, ...data }, update: data });
    return false;
  });
}

/** Whether the shop completed a signup (through any link, or the popup) since this redirect link was made. */
export async function signupSince(db: Tx, shopId: string, issuedAt: Date): Promise<boolean> {
  return (await db.whatsAppAccount.count({ where: { shopId, signupCompletedAt: { gte: issuedAt } } })) > 0;
}

/** A step found its onboarding's row no longer its own (disconnected, or a new signup): nothing was written. */
class OnboardingReplaced extends Error {}

/** Runs every step not done yet; a failure is stored and the page can resume. */
export async function continueOnboarding(deps: AppDeps, shopId: string, options: { coexistenceKnown?: boolean } = {}): Promise<SignupResult> {
  const { db, config } = deps;
  let account = await db.whatsAppAccount.findUnique({ where: { shopId } });
  if (!account?.accessTokenCiphertext || !account.wabaId) {
    return { ok: false, state: "NOT_CONNECTED", step: "token", reason: reason("SIGNUP_NOT_STARTED") };
  }
  // Disconnected (its number moved to another shop, or Meta cut the account off) keeps the old onboarding's marks,
  // which would read as done: only a new signup connects again.
  if (account.onboardingState === "DISCONNECTED") return { ok: false, state: "DISCONNECTED", step: "signup", reason: reason("SIGNUP_NOT_STARTED") };
  const client = deps.graph.withToken(decryptSecret(account.accessTokenCiphertext, config.encryptionKey));
  const wabaId = account.wabaId;
  // This onboarding's row, as long as it is this onboarding's: Meta's answers take seconds, and meanwhile the shop
  // may disconnect (the token is forgotten), its number may move, or a new signup may start (a new token). A step
  // then writes nothing there: it would mark a disconnected account connected, or the new onboarding done.
  const ours = { shopId, accessTokenCiphertext: account.accessTokenCiphertext, onboardingState: { not: "DISCONNECTED" } };

  const fail = async (step: string, why: string, code?: number): Promise<SignupResult> => {
    await db.whatsAppAccount.updateMany({ where: ours, data: { onboardingError: why } });
    const current = (await db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).onboardingState as OnboardingState;
    return { ok: false, state: current, step, reason: why, code };
  };
  const save = async (data: Parameters<Db["whatsAppAccount"]["updateManyAndReturn"]>[0]["data"], tx: Tx = db) => {
    const [saved] = await tx.whatsAppAccount.updateManyAndReturn({ where: ours, data: { ...data, onboardingError: null } });
    if (!saved) throw new OnboardingReplaced();
    account = saved;
  };
  try {
    // 1. The number: from the event, else the WABA's (the Coexistence event may carry none).
    if (!account.displayPhoneNumber) {
      let phoneNumberId = account.phoneNumberId;
      if (!phoneNumberId) {
        const numbers = await client.listPhoneNumbers(wabaId);
        if (!numbers.ok) return fail("number", describe(numbers.error), numbers.error.code);
        const candidates = account.coexistence ? numbers.value.data.filter((n) => n.is_on_biz_app !== false) : numbers.value.data;
        phoneNumberId = (candidates[0] ?? numbers.value.data[0])?.id ?? null;
        if (!phoneNumberId) return fail("number", reason("NO_NUMBER"));
      }
      const [phone, waba] = await Promise.all([client.getPhoneNumber(phoneNumberId), client.getWaba(wabaId)]);
      if (!phone.ok) return fail("number", describe(phone.error), phone.error.code);
      if (!waba.ok) return fail("number", describe(waba.error), waba.error.code);
      // Meta answered for this number with this token (listed in its WABA, or
      // proven at signup and read just now), so it may leave another shop's row: both or neither.
      await db.$transaction(async (tx) => {
        await tx.whatsAppAccount.updateMany({ where: { phoneNumberId, NOT: { shopId } }, data: { phoneNumberId: null, onboardingState: "DISCONNECTED", disconnectReason: "NUMBER_MOVED" } });
        await save(
          {
            phoneNumberId,
            displayPhoneNumber: phone.value.display_phone_number ?? phoneNumberId,
            ...numberFacts(phone.value),
            // Read just now: the worker's next reading (health.server.ts) is hours away.
            healthSyncedAt: new Date(),
            currency: waba.value.currency ?? null,
            timezone: waba.value.timezone_id ?? null,
            // The session event decides the path; without one, the number tells.
            ...(options.coexistenceKnown ? {} : { coexistence: phone.value.is_on_biz_app === true }),
            onboardingState: "NUMBER_SELECTED",
          },
          tx,
        );
      });
    }

    // 2. Subscribe the app to the WABA's webhooks.
    if (!account.subscribedAt) {
      const subscribed = await client.subscribeApp(wabaId);
      if (!subscribed.ok) return fail("subscribe", describe(subscribed.error), subscribed.error.code);
      await save({ subscribedAt: new Date(), onboardingState: "SUBSCRIBED" });
    }

    const phoneNumberId = account.phoneNumberId!;
    if (!account.coexistence) {
      // 3a. Standard path: register the number with a two-step PIN kept for retries.
      if (!account.registeredAt) {
        let pinCiphertext = account.registrationPinCiphertext;
        if (!pinCiphertext) {
          pinCiphertext = encryptSecret(String(randomInt(0, 1_000_000)).padStart(6, "0"), config.encryptionKey);
          await save({ registrationPinCiphertext: pinCiphertext });
        }
        const registered = await client.registerNumber(phoneNumberId, decryptSecret(pinCiphertext, config.encryptionKey));
        if (!registered.ok) return fail("register", describe(registered.error), registered.error.code);
        await save({ registeredAt: new Date(), onboardingState: "REGISTERED" });
      }
    } else {
      // 3b. Coexistence: never /register; start each sync once, within 24 h of signup.
      const syncs = [
        { type: "smb_app_state_sync", at: "contactsSyncRequestedAt", id: "contactsSyncRequestId" },
        { type: "history", at: "historySyncRequestedAt", id: "historySyncRequestId" },
      ] as const;
      for (const sync of syncs) {
        if (account[sync.at]) continue;
        if (account.signupCompletedAt && Date.now() - account.signupCompletedAt.getTime() > SYNC_WINDOW_MS) {
          return fail("sync", reason("SYNC_TOO_LATE"));
        }
        const requested = await client.requestSync(phoneNumberId, sync.type);
        if (requested.ok) {
          await save({ [sync.at]: new Date(), [sync.id]: requested.value.request_id });
        } else if (requested.error.code === 2593107) {
          // Already requested for this onboarding (a retry after a lost response).
          await save({ [sync.at]: new Date() });
        } else {
          return fail("sync", describe(requested.error), requested.error.code);
        }
      }
      await save({ onboardingState: "SYNC_REQUESTED" });
    }

    await save({ onboardingState: "CONNECTED", connectedAt: account.connectedAt ?? new Date() });
    // Orders placed before the install get threads: the worker loads the last 60 days (sending nothing).
    await requestBackfill(deps.db, shopId);
    return { ok: true, state: "CONNECTED" };
  } catch (error) {
    if (!(error instanceof OnboardingReplaced)) throw error;
    return { ok: false, state: await currentState(db, shopId), step: "signup", reason: reason("ONBOARDING_REPLACED") };
  }
}

/**
 * Disconnects the shop's number: unsubscribes the app from the WABA (best
 * effort: the token may already be revoked) unless another shop's number on the
 * same WABA still uses it (Meta keeps one subscription per app and WABA), and
 * forgets the token.
 */
export async function disconnectWhatsApp(deps: AppDeps, shopId: string, disconnectReason: string): Promise<void> {
  // A signup waiting for confirmation holds a token too.
  await deps.db.parkedSignup.deleteMany({ where: { shopId } });
  const account = await deps.db.whatsAppAccount.findUnique({ where: { shopId } });
  if (!account) return;
  const sharing = account.wabaId
    ? await deps.db.whatsAppAccount.count({
        where: { wabaId: account.wabaId, shopId: { not: shopId }, phoneNumberId: { not: null }, accessTokenCiphertext: { not: null }, onboardingState: { not: "DISCONNECTED" } },
      })
    : 0;
  if (account.accessTokenCiphertext && account.wabaId && sharing === 0) {
    const client = deps.graph.withToken(decryptSecret(account.accessTokenCiphertext, deps.config.encryptionKey));
    const result = await client.unsubscribeApp(account.wabaId);
    if (!result.ok) log.warn({ shopId, graphCode: result.error.code }, "Unsubscribing from the WABA failed; forgetting the token anyway");
  }
  await deps.db.whatsAppAccount.update({
    where: { shopId },
    data: {
      accessTokenCiphertext: null,
      registrationPinCiphertext: null,
      onboardingState: "DISCONNECTED",
      disconnectedAt: new Date(),
      disconnectReason,
      subscribedAt: null,
    },
  });
}
