// The connection's health, read again from Meta every few hours: the number's
// quality rating (phone_number_quality_update no longer carries colours, so
// reading the number is the only way to learn it: ../shared/whatsapp-cloud-api.md
// §7), its messaging limit, throughput level and display name, and the WABA's
// templates, so a status webhook that never arrived (a failed delivery Meta
// gave up on, the app down past Meta's retries) is mended within hours.
import type { AppConfig } from "../core/config.server";
import { decryptSecret } from "../core/crypto.server";
import type { Db } from "../core/db.server";
import { log } from "../core/log.server";
import { numberFacts, type WhatsAppClient } from "./client.server";
import { syncTemplates } from "./templates.server";

/** How old a connection's last reading may be before the worker reads it again. */
export const HEALTH_SYNC_EVERY_MS = 6 * 60 * 60 * 1000;
/** A reading Meta refused is tried again after this (a revoked token is not asked every few minutes). */
const RETRY_AFTER_MS = 60 * 60 * 1000;
/** Accounts read in one look: the next look, minutes later, takes the rest. */
const BATCH = 50;

type Deps = { db: Db; config: Pick<AppConfig, "encryptionKey">; graph: WhatsAppClient };

/**
 * Reads the connected accounts whose last reading is HEALTH_SYNC_EVERY_MS old
 * (or that have none), the oldest first, up to BATCH a look, until the worker
 * stops. Each is taken by compare-and-set on its reading time, so two workers
 * never read the same one; a reading that fails is dated to come due again in
 * RETRY_AFTER_MS. One account failing does not stop the others.
 */
export async function refreshDueAccounts(deps: Deps, options: { now?: Date; stopping?: () => boolean } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const due = await deps.db.whatsAppAccount.findMany({
    where: {
      onboardingState: "CONNECTED",
      phoneNumberId: { not: null },
      wabaId: { not: null },
      accessTokenCiphertext: { not: null },
      shop: { uninstalledAt: null },
      OR: [{ healthSyncedAt: null }, { healthSyncedAt: { lt: new Date(now.getTime() - HEALTH_SYNC_EVERY_MS) } }],
    },
    select: { id: true, shopId: true, wabaId: true, phoneNumberId: true, accessTokenCiphertext: true, healthSyncedAt: true },
    orderBy: { healthSyncedAt: { sort: "asc", nulls: "first" } },
    take: BATCH,
  });
  let done = 0;
  for (const account of due) {
    if (options.stopping?.()) break;
    const mark = new Date();
    const won = await deps.db.whatsAppAccount.updateMany({ where: { id: account.id, healthSyncedAt: account.healthSyncedAt }, data: { healthSyncedAt: mark } });
    if (!won.count) continue;
    const read = await readHealth(deps, account).catch((error: unknown) => {
      log.warn({ shopId: account.shopId, err: error }, "Could not read the WhatsApp connection's health; trying again at the next look");
      return false;
    });
    if (read) {
      done++;
      continue;
    }
    await deps.db.whatsAppAccount.updateMany({ where: { id: account.id, healthSyncedAt: mark }, data: { healthSyncedAt: new Date(mark.getTime() - HEALTH_SYNC_EVERY_MS + RETRY_AFTER_MS) } });
  }
  return done;
}

async function readHealth(deps: Deps, account: { id: string; shopId: string; wabaId: string | null; phoneNumberId: string | null; accessTokenCiphertext: string | null }): Promise<boolean> {
  const client = deps.graph.withToken(decryptSecret(account.accessTokenCiphertext!, deps.config.encryptionKey));
  const phone = await client.getPhoneNumber(account.phoneNumberId!);
  if (!phone.ok) {
    log.warn({ shopId: account.shopId, graphCode: phone.error.code }, "Meta refused to read the connected number; trying again at the next look");
    return false;
  }
  // Only the account still connected to this number takes the reading (a signup or a disconnect may have come meanwhile).
  await deps.db.whatsAppAccount.updateMany({
    where: { id: account.id, phoneNumberId: account.phoneNumberId, onboardingState: "CONNECTED" },
    // What Meta left out keeps its last reading.
    data: Object.fromEntries(Object.entries(numberFacts(phone.value)).filter(([, value]) => value !== null)),
  });
  const templates = await syncTemplates(deps.db, account.shopId, client, account.wabaId!);
  if (!templates.ok) {
    log.warn({ shopId: account.shopId, graphCode: templates.error.code }, "Meta refused to list the WABA's templates; trying again at the next look");
    return false;
  }
  return true;
}
