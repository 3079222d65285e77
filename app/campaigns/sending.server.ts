// Campaigns (issue 15), sending: scheduling a draft, pausing, resuming and
// cancelling it, and its progress. The worker writes its messages
// (queue.server.ts); the dispatcher sends them in the marketing lane, after
// utility messages. Refusals are codes the page translates.
//
// Pause is one update of the campaign: its rows stay SCHEDULED/QUEUED and the
// dispatcher's marketing lane only takes rows of campaigns SCHEDULED or
// SENDING, so a pause is as cheap for 50,000 rows as for 5, and nothing is
// left half-moved if the process dies meanwhile. Cancel marks every unsent row
// CANCELLED (sent ones stay).
import { z } from "zod";

import type { Db } from "../core/db.server";
import { cancelled } from "../core/domain";
import { log } from "../core/log.server";
import { localDay } from "../pricing/time";
import type { Staff } from "../shopify/staff.server";
import { parameterCount, templateBody } from "../whatsapp/template-text";
import { campaignEstimate, campaignOf } from "./campaigns.server";
import { campaignMappingSchema } from "./template-params";

export const SCHEDULE_KINDS = ["NOW", "AT", "LOCAL"] as const;

export interface ScheduleInput {
  kind: (typeof SCHEDULE_KINDS)[number];
  sendAt?: Date;
  localTime?: string;
  overBudgetApproved: boolean;
}

const scheduleSchema = z.object({
  kind: z.enum(SCHEDULE_KINDS),
  sendAt: z.date().optional(),
  localTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .optional(),
  overBudgetApproved: z.boolean(),
});

export type Refusal = { ok: false; field: string; code: string };

/**
 * Schedules a draft whose audience is read, with an approved MARKETING
 * template of the shop and one field for each of its body variables. AT needs
 * a time in the future; LOCAL a "HH:MM" and a day (sendAt's date in the shop's
 * zone, today or later: recipients whose local time has already passed that
 * day receive it at once). The estimate is kept as it was; over the month's
 * budget it is refused unless the merchant approved going over.
 */
export async function scheduleCampaign(db: Db, shopId: string, campaignId: string, staff: Staff, input: ScheduleInput, now = new Date()): Promise<{ ok: true } | Refusal> {
  const parsed = scheduleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, field: String(parsed.error.issues[0]!.path[0]), code: "invalid" };
  const { kind, sendAt, localTime, overBudgetApproved } = parsed.data;
  const campaign = await campaignOf(db, shopId, campaignId);
  if (!campaign) return { ok: false, field: "campaignId", code: "notFound" };
  if (campaign.status !== "DRAFT") return { ok: false, field: "status", code: "notDraft" };
  if (campaign.audienceStatus !== "READY") return { ok: false, field: "audience", code: "audienceNotReady" };
  const template = campaign.templateName ? await db.template.findFirst({ where: { shopId, name: campaign.templateName, category: "MARKETING", status: "APPROVED" } }) : null;
  if (!template) return { ok: false, field: "templateName", code: "templateNotApproved" };
  const mapping = campaignMappingSchema.safeParse(campaign.variableMapping ?? []);
  if (!mapping.success) return { ok: false, field: "variableMapping", code: "invalid" };
  if (mapping.data.length !== parameterCount(templateBody(template.components))) return { ok: false, field: "variableMapping", code: "variableCount" };
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { timezone: true } });
  if (kind === "AT" && !sendAt) return { ok: false, field: "sendAt", code: "required" };
  if (kind === "AT" && sendAt!.getTime() <= now.getTime()) return { ok: false, field: "sendAt", code: "inPast" };
  if (kind === "LOCAL" && !localTime) return { ok: false, field: "localTime", code: "required" };
  if (kind === "LOCAL" && !sendAt) return { ok: false, field: "sendAt", code: "required" };
  if (kind === "LOCAL" && localDay(sendAt!, shop.timezone) < localDay(now, shop.timezone)) return { ok: false, field: "sendAt", code: "inPast" };
  const estimate = await campaignEstimate(db, campaign, now);
  if (estimate.markets.length === 0) return { ok: false, field: "audience", code: "noRecipients" };
  if (estimate.budget.overBudget && !overBudgetApproved) return { ok: false, field: "overBudgetApproved", code: "overBudget" };
  const scheduled = await db.campaign.updateMany({
    where: { id: campaign.id, shopId, status: "DRAFT" },
    data: {
      status: "SCHEDULED",
      scheduleKind: kind,
      sendAt: kind === "NOW" ? now : sendAt!,
      localTime: kind === "LOCAL" ? localTime! : null,
      // Spread: an interface is not a JSON object to the type checker.
      estimate: { ...estimate, markets: estimate.markets.map((m) => ({ ...m })) },
      overBudgetApproved,
      scheduledAt: now,
    },
  });
  if (scheduled.count === 0) return { ok: false, field: "status", code: "notDraft" };
  log.info({ campaignId: campaign.id, staffId: staff.id, kind }, "Campaign scheduled");
  return { ok: true };
}

type Change = { ok: true } | { ok: false; code: string };

async function move(db: Db, shopId: string, campaignId: string, from: string[], to: (campaign: { startedAt: Date | null }) => string): Promise<Change> {
  const campaign = await campaignOf(db, shopId, campaignId);
  if (!campaign) return { ok: false, code: "notFound" };
  if (!from.includes(campaign.status)) return { ok: false, code: "wrongStatus" };
  const moved = await db.campaign.updateMany({ where: { id: campaign.id, shopId, status: campaign.status }, data: { status: to(campaign) } });
  return moved.count ? { ok: true } : { ok: false, code: "wrongStatus" };
}

/** Stops new sends: its unsent rows wait (the dispatcher skips a paused campaign's rows) and no more are written. */
export function pauseCampaign(db: Db, shopId: string, campaignId: string): Promise<Change> {
  return move(db, shopId, campaignId, ["SCHEDULED", "SENDING"], () => "PAUSED");
}

/** Carries on where the pause stopped: rows whose time passed meanwhile go at once. */
export function resumeCampaign(db: Db, shopId: string, campaignId: string): Promise<Change> {
  return move(db, shopId, campaignId, ["PAUSED"], (campaign) => (campaign.startedAt ? "SENDING" : "SCHEDULED"));
}

/**
 * Nothing more goes out: the campaign is CANCELLED (so no more rows are
 * written) and its rows not yet handed to the dispatcher with it, in one
 * transaction; a row being sent now finishes as it goes, sent ones stay.
 */
export async function cancelCampaign(db: Db, shopId: string, campaignId: string): Promise<Change> {
  const campaign = await campaignOf(db, shopId, campaignId);
  if (!campaign) return { ok: false, code: "notFound" };
  if (!["SCHEDULED", "SENDING", "PAUSED"].includes(campaign.status)) return { ok: false, code: "wrongStatus" };
  const stopped = await db.$transaction(async (tx) => {
    const moved = await tx.campaign.updateMany({ where: { id: campaign.id, shopId, status: campaign.status }, data: { status: "CANCELLED", finishedAt: new Date() } });
    if (!moved.count) return false;
    await tx.message.updateMany({
      where: { shopId, campaignId: campaign.id, status: { in: ["SCHEDULED", "QUEUED"] } },
      data: cancelled("CAMPAIGN_CANCELLED"),
    });
    return true;
  });
  return stopped ? { ok: true } : { ok: false, code: "wrongStatus" };
}

/**
 * A campaign's messages by their current status: total recipients (those not
 * left out), queued (due, or being sent), scheduled (waiting for their time),
 * sent (handed to WhatsApp, no delivery yet), delivered, read, failed, and
 * cancelled (cancelled, or skipped: a variable empty for them). Recipients
 * whose message is not written yet are in total only.
 */
export async function campaignProgress(db: Db, campaignId: string) {
  const [total, groups] = await Promise.all([
    db.campaignRecipient.count({ where: { campaignId, excluded: null } }),
    db.message.groupBy({ by: ["status"], where: { campaignId }, _count: { _all: true } }),
  ]);
  const count = (...statuses: string[]) => groups.filter((g) => statuses.includes(g.status)).reduce((sum, g) => sum + g._count._all, 0);
  return {
    total,
    queued: count("QUEUED", "SENDING"),
    scheduled: count("SCHEDULED"),
    sent: count("SENT", "UNCONFIRMED"),
    delivered: count("DELIVERED"),
    read: count("READ"),
    failed: count("FAILED"),
    cancelled: count("CANCELLED", "SKIPPED"),
  };
}
