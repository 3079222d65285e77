import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { type CampaignDraftRefusal, CampaignsPage } from "../ui/CampaignsPage";
import { campaignList, createDraft, savedSegments } from "../campaigns/campaigns.server";
import { campaignTemplates } from "../campaigns/message.server";
import { requireShop } from "../shopify/request.server";
import { db } from "../core/db.server";
import { log } from "../core/log.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { adminGraphql, remixTransport } from "../shopify/admin/graphql.server";
import { actingStaff } from "../shopify/staff.server";

// /app/campaigns — the shop's campaigns and a new draft: a name, the audience
// (a saved Shopify segment, or filters) and an approved marketing template.
async function segmentsOf(admin: Parameters<typeof remixTransport>[0], shop: string) {
  try {
    return await savedSegments(adminGraphql(remixTransport(admin), { shop }));
  } catch (error) {
    log.warn({ shop, err: error }, "Could not list the shop's customer segments");
    return [];
  }
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session, shop, locale } = await requireShop(request);
  const [campaigns, segments, templates, connected] = await Promise.all([
    campaignList(db(), shop.id),
    segmentsOf(admin, session.shop),
    campaignTemplates(db(), shop.id),
    hasConnectedNumber(db(), shop.id),
  ]);
  return { locale, timezone: shop.timezone, connected, campaigns: campaigns.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })), segments, templates: templates.map((t) => t.name) };
};

export const action = async ({ request }: ActionFunctionArgs): Promise<CampaignDraftRefusal | Response> => {
  const { admin, session, shop } = await requireShop(request);
  const form = Object.fromEntries(await request.formData());
  const staff = await actingStaff(db(), shop.id, session);
  const segments = form.audience === "segment" ? await segmentsOf(admin, session.shop) : [];
  const created = await createDraft(db(), shop.id, staff, form, segments);
  if (!created.ok) return { field: created.field };
  const url = new URL(request.url);
  return redirect(`/app/campaigns/${created.id}${url.search}`);
};

export default function Campaigns() {
  return <CampaignsPage data={useLoaderData<typeof loader>()} />;
}
