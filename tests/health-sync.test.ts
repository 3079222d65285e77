// The connection's health, read again from Meta by the worker: the number's
// quality (no webhook carries it any more), its display name, and the
// templates, so a status webhook that never arrived is mended. Against the
// simulator over HTTP, with a second store on another business that is not
// due, and a disconnected one that is never read.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encryptSecret } from "../app/core/crypto.server";
import { graphClient } from "../app/whatsapp/client.server";
import { HEALTH_SYNC_EVERY_MS, refreshDueAccounts } from "../app/whatsapp/health.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { createShop, testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

describe("the worker reads each connection's health every few hours", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    // No embedded worker: the test takes the worker's turns itself.
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off" } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deps = () => ({ db: sandbox.db, config: sandbox.config, graph: graphClient(sandbox.config) });
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

  it("takes the quality rating, display name and template statuses Meta has now, only for connected accounts that are due, and gives back a failed reading", async () => {
    const demo = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain }, include: { whatsappAccount: true } });
    // Seeding read the number and synced the templates: nothing is due yet.
    expect(demo.whatsappAccount).toMatchObject({ qualityRating: "GREEN" });
    expect(demo.whatsappAccount!.healthSyncedAt).not.toBeNull();
    expect(await refreshDueAccounts(deps())).toBe(0);

    // Another merchant's business, connected to a second store, read an hour ago (not due); a third store disconnected.
    const other = await simJson<{ wabaId: string; phoneNumberId: string; accessToken: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} });
    const second = await createShop(sandbox.db, "health-second.myshopify.com");
    const secondAccount = await sandbox.db.whatsAppAccount.create({
      data: {
        shopId: second.id,
        wabaId: other.wabaId,
        phoneNumberId: other.phoneNumberId,
        accessTokenCiphertext: encryptSecret(other.accessToken, sandbox.config.encryptionKey),
        onboardingState: "CONNECTED",
        qualityRating: "GREEN",
        healthSyncedAt: hoursAgo(1),
      },
    });
    const third = await createShop(sandbox.db, "health-third.myshopify.com");
    await sandbox.db.whatsAppAccount.create({
      data: { shopId: third.id, wabaId: other.wabaId, onboardingState: "DISCONNECTED", disconnectReason: "MERCHANT_DISCONNECTED", qualityRating: "GREEN" },
    });
    await simJson(sandbox.simUrl, "phone-number", { method: "POST", body: { phoneNumberId: other.phoneNumberId, qualityRating: "RED" } });

    // Meta's side changes with no webhook: the demo number's quality and name, and a template paused whose webhook was lost.
    expect(await simJson(sandbox.simUrl, "phone-number", { method: "POST", body: { phoneNumberId: SEED.cloudPhoneNumberId, qualityRating: "YELLOW", verifiedName: "Loja Nova" } })).toMatchObject({
      quality_rating: "YELLOW",
    });
    await simJson(sandbox.simUrl, "template-status", { method: "POST", body: { name: "order_confirmation", language: "pt_BR", status: "PAUSED", webhook: false } });
    await sandbox.db.whatsAppAccount.update({ where: { shopId: demo.id }, data: { healthSyncedAt: hoursAgo(7) } });
    const statusOf = async (language: string) => (await sandbox.db.template.findFirstOrThrow({ where: { shopId: demo.id, name: "order_confirmation", language } })).status;
    expect(await statusOf("pt_BR")).toBe("APPROVED");

    const before = Date.now();
    expect(await refreshDueAccounts(deps())).toBe(1);
    const read = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: demo.id } });
    expect(read).toMatchObject({ qualityRating: "YELLOW", verifiedName: "Loja Nova" });
    expect(read.healthSyncedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(await statusOf("pt_BR")).toBe("PAUSED");
    expect(await statusOf("es")).toBe("APPROVED");
    // Not due, not connected: left as they were.
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { id: secondAccount.id } })).toMatchObject({ qualityRating: "GREEN", healthSyncedAt: secondAccount.healthSyncedAt });
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: third.id } })).toMatchObject({ qualityRating: "GREEN", healthSyncedAt: null });
    expect(await sandbox.db.template.count({ where: { shopId: { in: [second.id, third.id] } } })).toBe(0);
    // Read just now: the next look passes over it.
    expect(await refreshDueAccounts(deps())).toBe(0);

    // The home page shows what Meta says now.
    const home = await (await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(home).toContain("Loja Nova");
    expect(home).toMatch(/Quality rating<.{0,300}>Medium</s);

    // Meta refuses the reading: nothing changes, and it comes due again in an hour, not at every look.
    await sandbox.db.whatsAppAccount.update({ where: { shopId: demo.id }, data: { healthSyncedAt: hoursAgo(HEALTH_SYNC_EVERY_MS / 3_600_000 + 1) } });
    await simJson(sandbox.simUrl, "phone-number", { method: "POST", body: { phoneNumberId: SEED.cloudPhoneNumberId, qualityRating: "RED" } });
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 2, path: SEED.cloudPhoneNumberId } });
    const failedAt = Date.now();
    expect(await refreshDueAccounts(deps())).toBe(0);
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: demo.id } })).toMatchObject({ qualityRating: "YELLOW" });
    expect(await refreshDueAccounts(deps())).toBe(0);
    expect(await refreshDueAccounts(deps(), { now: new Date(failedAt + 59 * 60_000) })).toBe(0);
    expect(await refreshDueAccounts(deps(), { now: new Date(Date.now() + 61 * 60_000) })).toBe(1);
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: demo.id } })).toMatchObject({ qualityRating: "RED" });
  });

  it("mends a category change and a rejection whose webhooks never came, as the webhooks would have", async () => {
    const demo = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const where = { shopId: demo.id, name: "order_confirmation", language: "es" };
    // Locally still MARKETING and REJECTED; at Meta it is a UTILITY template, approved since.
    await sandbox.db.template.updateMany({ where, data: { category: "MARKETING", status: "REJECTED", rejectedReason: "INVALID_FORMAT", statusEventAt: hoursAgo(8) } });
    await sandbox.db.automation.updateMany({ where: { shopId: demo.id, templateName: "order_confirmation" }, data: { pausedReason: null } });
    await sandbox.db.whatsAppAccount.update({ where: { shopId: demo.id }, data: { healthSyncedAt: hoursAgo(7) } });
    expect(await refreshDueAccounts(deps())).toBe(1);
    expect(await sandbox.db.template.findFirstOrThrow({ where })).toMatchObject({ category: "UTILITY", status: "APPROVED", rejectedReason: null });
    const paused = await sandbox.db.automation.findMany({ where: { shopId: demo.id, templateName: "order_confirmation" }, select: { pausedReason: true } });
    expect(paused.length).toBeGreaterThan(0);
    for (const automation of paused) expect(automation.pausedReason).toMatch(/^CATEGORY_MOVED\?/);
  });

  it("reads at most a batch a look, the oldest first, and stops between accounts when the worker stops", async () => {
    const shops = await Promise.all(
      Array.from({ length: 3 }, async (_, i) => {
        const shop = await createShop(sandbox.db, `health-batch-${i}.myshopify.com`);
        // Numbers Meta does not know: each reading fails, which is enough to see which were taken.
        await sandbox.db.whatsAppAccount.create({
          data: {
            shopId: shop.id,
            wabaId: SEED.wabaId,
            phoneNumberId: `99990000000000${i}`,
            accessTokenCiphertext: encryptSecret(SEED.accessToken, sandbox.config.encryptionKey),
            onboardingState: "CONNECTED",
            healthSyncedAt: hoursAgo(7 + i),
          },
        });
        return shop;
      }),
    );
    const readingOf = async (i: number) => (await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: shops[i]!.id } })).healthSyncedAt!.getTime();
    const before = await Promise.all([0, 1, 2].map(readingOf));
    let looked = 0;
    // The worker stops after the first account: the other two stay as they were.
    await refreshDueAccounts(deps(), { stopping: () => looked++ > 0 });
    const after = await Promise.all([0, 1, 2].map(readingOf));
    expect(after[2]).not.toBe(before[2]);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
  });
});
