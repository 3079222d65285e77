import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { HomePage } from "../ui/HomePage";
import { codOutcomes } from "../messaging/cod.server";
import { openDataRequests } from "../shopify/data-requests.server";
import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { decideUnconfirmed, unconfirmedSends } from "../messaging/send-recovery.server";
import { outgoingStats, recentProblems } from "../messaging/outgoing-summary.server";
import { backfillProgress } from "../shopify/admin/backfill.server";
import { setupChecklist } from "../messaging/setup-checklist.server";
import { requireShop } from "../shopify/request.server";
import { listApprovedTemplateCount } from "../whatsapp/templates.server";
import { deadReceipts, retryDeadReceipt } from "../jobs/webhook-receipts.server";
import { connectionHealth, getConnection } from "../whatsapp/account.server";
import { getParkedSignup } from "../whatsapp/signup-parked.server";

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const since = new Date(Date.now() - THIRTY_DAYS_MS);
  const [connection, parked, stats, approvedTemplates, problems, dead, unconfirmed, backfill, cod, dataRequests, setup] = await Promise.all([
    getConnection(db(), shop.id),
    getParkedSignup(db(), shop.id),
    outgoingStats(db(), shop.id, since),
    listApprovedTemplateCount(db(), shop.id),
    recentProblems(db(), shop.id),
    deadReceipts(db(), shop.id),
    unconfirmedSends(db(), shop.id, config().DISPATCH_UNCONFIRMED_WINDOW_MS),
    backfillProgress(db(), shop.id),
    codOutcomes(db(), shop.id, since),
    openDataRequests(db(), shop.id),
    setupChecklist(db(), shop.id),
  ]);
  return {
    shopName: shop.name ?? shop.domain,
    locale,
    sandbox: config().ZAP_SANDBOX,
    connection,
    parked,
    health: connectionHealth(connection, config().PHONE_APP_INACTIVITY_DAYS),
    stats,
    approvedTemplates,
    problems,
    dead,
    unconfirmed,
    backfill,
    cod,
    dataRequests,
    setup,
    timezone: shop.timezone,
  };
};

const decisionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retry-receipt"), id: z.string().min(1) }),
  z.object({ intent: z.enum(["resend", "drop"]), id: z.string().min(1) }),
]);

// POST: the merchant retries a dead delivery, or decides on a send WhatsApp never confirmed.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const parsed = decisionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false, field: parsed.error.issues[0]?.path.join(".") ?? "intent" }, { status: 400 });
  const { intent, id } = parsed.data;
  const ok = intent === "retry-receipt" ? await retryDeadReceipt(db(), shop.id, id) : await decideUnconfirmed(db(), shop.id, id, intent);
  return Response.json({ ok, intent });
};

export default function Home() {
  return <HomePage data={useLoaderData<typeof loader>()} />;
}
