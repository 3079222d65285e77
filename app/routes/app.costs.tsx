import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";

import { CostsPage, type CostsResult } from "../ui/CostsPage";
import { db } from "../core/db.server";
import { announceWork } from "../jobs/queue.server";
import { uploadRateCard } from "../pricing/rate-card-upload.server";
import { rateCardList } from "../pricing/rate-cards.server";
import { reconcilePricing } from "../pricing/reconciliation.server";
import { costReport, periodSchema, reportContext, saveBudget } from "../pricing/report.server";
import { daysEnding } from "../pricing/time";
import { requireShop } from "../shopify/request.server";
import { appDeps } from "../services.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

// /app/costs?from=&to= — what WhatsApp costs this store, and what it bought.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const url = new URL(request.url);
  const ctx = await reportContext(db(), shop.id);
  const asked = periodSchema.safeParse({ from: url.searchParams.get("from"), to: url.searchParams.get("to") });
  const period = asked.success ? asked.data : daysEnding(ctx.today, 30);
  const issue = url.searchParams.has("from") || url.searchParams.has("to") ? asked.error?.issues[0] : undefined;
  const periodError = issue ? { field: issue.path[0] === "to" ? ("to" as const) : ("from" as const), message: issue.message } : null;
  return {
    locale,
    today: ctx.today,
    periodError,
    report: await costReport(db(), shop.id, period),
    rateCards: await rateCardList(db(), shop.id, ctx.currency),
    connected: await hasConnectedNumber(db(), shop.id),
  };
};

export const action = async ({ request }: ActionFunctionArgs): Promise<CostsResult | Response> => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "budget") {
    const result = await saveBudget(db(), shop.id, { budget: String(form.get("budget") ?? "") });
    return result.ok ? { intent, ok: true as const } : { intent, ok: false as const, field: result.field, message: { key: `costsError.${result.code}`, params: {} } };
  }
  if (intent === "rate-card") {
    const result = await uploadRateCard(db(), shop.id, form);
    if (result.ok) announceWork();
    return result.ok
      ? { intent, ok: true as const, lostRates: result.lostRates }
      : { intent, ok: false as const, field: result.field, message: { key: `rateCardError.${result.code}`, params: result.params } };
  }
  if (intent === "reconcile") {
    const period = periodSchema.safeParse({ from: form.get("from"), to: form.get("to") });
    if (!period.success) {
      const issue = period.error.issues[0]!;
      return { intent, ok: false as const, field: issue.path[0] === "to" ? "to" : "from", message: { key: `costsError.${issue.message}`, params: {} } };
    }
    const result = await reconcilePricing(appDeps(), shop.id, period.data);
    if (result.ok) return { intent, ok: true as const, days: result.days };
    return {
      intent,
      ok: false as const,
      field: "reconcile",
      message: result.code === "meta" ? { key: "code.META_ERROR", params: { code: String(result.metaCode) }, detail: result.detail } : { key: `costsError.${result.code}`, params: {} },
    };
  }
  throw new Response("Unknown action", { status: 400 });
};

export default function Costs() {
  return <CostsPage data={useLoaderData<typeof loader>()} />;
}
