// A test of a template to the merchant's own number (a campaign's, an
// automation's): a staff message row first, keyed by the form's one-time
// request id so a double click sends once, in no customer's conversation,
// then sent at once. Never to a number that stopped the store's marketing
// when the template is marketing.
import { insertOnce } from "../core/db-errors.server";
import { claimedByItsRequest, claimNow } from "./claims.server";
import { sendClaimed } from "./dispatch.server";
import type { Template } from "../generated/prisma/client";
import { processLimiter } from "./send-pacing.server";
import type { Staff } from "../shopify/staff.server";
import type { AppDeps } from "../core/deps";

export type TestSendResult = { ok: true; status: string } | { ok: false; field: "phone" | "requestId"; code: "optedOut" | "invalid" | "refused" };

export async function sendTemplateTest(
  deps: AppDeps,
  test: { shopId: string; staff: Staff; template: Template; params: object; phone: { e164: string; market: string | null }; idempotencyKey: string },
): Promise<TestSendResult> {
  const { db } = deps;
  const { shopId, staff, template, phone, idempotencyKey } = test;
  if (template.category === "MARKETING") {
    const customer = await db.contact.findFirst({ where: { shopId, phoneE164: phone.e164, NOT: { marketingOptedOutAt: null } }, select: { id: true } });
    if (customer) return { ok: false, field: "phone", code: "optedOut" };
  }
  const row = await insertOnce(() =>
    db.message.create({
      data: {
        shopId,
        direction: "OUT",
        source: "STAFF",
        type: "template",
        templateId: template.id,
        templateName: template.name,
        templateLanguage: template.language,
        params: test.params,
        recipientPhone: phone.e164,
        market: phone.market,
        staffUserId: staff.id,
        staffName: staff.name,
        idempotencyKey,
        ...claimedByItsRequest(deps.config.DISPATCH_LOCK_MS),
      },
    }),
  );
  // A replayed request id answers with the first send's outcome, for this shop only.
  const message = row ?? (await db.message.findFirst({ where: { shopId, idempotencyKey } }));
  if (!message) return { ok: false, field: "requestId", code: "invalid" };
  const claimed = row ?? (await claimNow(db, message.id, deps.config.DISPATCH_LOCK_MS));
  if (claimed) await sendClaimed(deps, processLimiter, claimed);
  const after = await db.message.findUniqueOrThrow({ where: { id: message.id }, select: { status: true } });
  return after.status === "FAILED" ? { ok: false, field: "phone", code: "refused" } : { ok: true, status: after.status };
}
