// The Embedded Signup redirect fallback's signups. Its callback has no admin
// session (its signed link names the shop), so what it gets is parked until a
// staff member signed in to the admin confirms it on the connect page; the
// steps shared with the popup's signup are in signup.server.ts.
import { encryptSecret } from "../core/crypto.server";
import type { Db } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import type { AppDeps } from "../core/deps";
import { log } from "../core/log.server";
import { reason } from "../core/reasons";
import { STATE_TTL_MS } from "./signup-redirect.server";
import { continueOnboarding, currentState, describe, exchangeAndVerify, type SignupFailure, type SignupResult, signupSince, storeSignup } from "./signup.server";

/**
 * The redirect fallback's callback (no admin session: its signed link names
 * the shop). The link is spent before its code is used; the code is exchanged
 * and the token's WABA and number read, and the result is parked for a staff
 * member to confirm on the connect page: whoever opens a leaked link can finish
 * Meta's dialog with their own business, but cannot connect it to the shop.
 */
export async function parkSignup(
  deps: AppDeps,
  shopId: string,
  input: { code: string; redirectUri: string; intendedCoexistence: boolean; link: { linkId: string; issuedAt: Date } },
): Promise<{ ok: true; displayPhoneNumber: string } | SignupFailure> {
  const { db, config } = deps;
  if (!(await takeLink(db, shopId, input.link))) return linkRefused(db, shopId);
  const verified = await exchangeAndVerify(deps, shopId, { code: input.code, redirectUri: input.redirectUri, claimed: {} });
  if (!verified.ok) return verified;
  const numbers = await deps.graph.withToken(verified.token).listPhoneNumbers(verified.wabaId);
  if (!numbers.ok) return { ok: false, state: await currentState(db, shopId), step: "number", reason: describe(numbers.error), code: numbers.error.code };
  // The path the merchant chose picks among the WABA's numbers; the number itself decides it once confirmed.
  const candidates = input.intendedCoexistence ? numbers.value.data.filter((n) => n.is_on_biz_app !== false) : numbers.value.data;
  const number = candidates[0] ?? numbers.value.data[0];
  if (!number) return { ok: false, state: await currentState(db, shopId), step: "number", reason: reason("NO_NUMBER") };
  const parked = {
    linkIssuedAt: input.link.issuedAt,
    wabaId: verified.wabaId,
    phoneNumberId: number.id,
    displayPhoneNumber: number.display_phone_number ?? number.id,
    verifiedName: number.verified_name ?? null,
    accessTokenCiphertext: encryptSecret(verified.token, config.encryptionKey),
    tokenExpiresAt: verified.tokenExpiresAt,
    parkedAt: new Date(),
  };
  await db.parkedSignup.upsert({ where: { shopId }, create: { shopId, ...parked }, update: parked });
  return { ok: true, displayPhoneNumber: parked.displayPhoneNumber };
}

/** What the connect page shows of a parked signup still usable, or null; an expired one (and its token) is deleted. */
export async function getParkedSignup(db: Db, shopId: string, now = Date.now()) {
  const parked = await db.parkedSignup.findUnique({ where: { shopId }, select: { displayPhoneNumber: true, verifiedName: true, parkedAt: true } });
  if (!parked) return null;
  if (parked.parkedAt.getTime() <= now - STATE_TTL_MS) {
    await db.parkedSignup.deleteMany({ where: { shopId, parkedAt: parked.parkedAt } });
    return null;
  }
  return { displayPhoneNumber: parked.displayPhoneNumber, verifiedName: parked.verifiedName, parkedAt: parked.parkedAt.toISOString() };
}

/** A staff member discards a parked signup (nobody on the team made it, or the wrong number). */
export async function discardParkedSignup(db: Db, shopId: string): Promise<void> {
  await db.parkedSignup.deleteMany({ where: { shopId } });
}

/**
 * A staff member confirms the parked signup on the connect page: it is taken
 * once (two confirmations at once connect once), refused when expired or when
 * the shop completed a signup since its link was made, then connected as the
 * popup's signup is.
 */
export async function confirmParkedSignup(deps: AppDeps, shopId: string): Promise<SignupResult> {
  const { db } = deps;
  const parked = await db.parkedSignup.findUnique({ where: { shopId } });
  // Taken (deleted) once, an expired one too: its token goes either way.
  const taken = parked !== null && (await db.parkedSignup.deleteMany({ where: { shopId, parkedAt: parked.parkedAt } })).count === 1;
  if (!parked || !taken || parked.parkedAt.getTime() <= Date.now() - STATE_TTL_MS) {
    return { ok: false, state: await currentState(db, shopId), step: "signup", reason: reason("SIGNUP_NOT_STARTED") };
  }
  const spent = await storeSignup(
    db,
    shopId,
    {
      wabaId: parked.wabaId,
      businessId: null,
      phoneNumberId: parked.phoneNumberId,
      coexistence: false,
      accessTokenCiphertext: parked.accessTokenCiphertext,
      tokenExpiresAt: parked.tokenExpiresAt,
      signupCompletedAt: parked.parkedAt,
    },
    parked.linkIssuedAt,
  );
  if (spent) return linkRefused(db, shopId);
  return continueOnboarding(deps, shopId, { coexistenceKnown: false });
}

/**
 * Takes a redirect link for this use, or says it is spent: a signup completed
 * since it was made, or its one-time id already stored (an earlier use, failed
 * or not; another use at the same moment loses on the unique id). Uses older
 * than a link's lifetime go: their links are refused as expired anyway.
 */
async function takeLink(db: Db, shopId: string, link: { linkId: string; issuedAt: Date }): Promise<boolean> {
  if (await signupSince(db, shopId, link.issuedAt)) return false;
  await db.signupLinkUse.deleteMany({ where: { shopId, usedAt: { lt: new Date(Date.now() - STATE_TTL_MS) } } });
  return (await insertOnce(() => db.signupLinkUse.create({ data: { linkId: link.linkId, shopId } }))) !== null;
}

async function linkRefused(db: Db, shopId: string): Promise<SignupFailure> {
  log.warn({ shopId }, "Embedded Signup refused: its redirect link was already used");
  return { ok: false, state: await currentState(db, shopId), step: "signup", reason: reason("SIGNUP_LINK_USED") };
}
