import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { CampaignResultsPage } from "../ui/CampaignResultsPage";
import { campaignOf } from "../campaigns/campaigns.server";
import { campaignResults } from "../campaigns/results.server";
import { db } from "../core/db.server";
import { requireShop } from "../shopify/request.server";

// /app/campaigns/:campaignId/results — what a campaign reached, cost (beside
// its estimate) and brought in orders; the same figures as its CSV export.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const campaign = await campaignOf(db(), shop.id, params.campaignId ?? "");
  if (!campaign) throw new Response("Not found", { status: 404 });
  return { locale, timeZone: shop.timezone, campaign: { id: campaign.id, name: campaign.name }, results: await campaignResults(db(), campaign) };
};

export default function CampaignResults() {
  return <CampaignResultsPage data={useLoaderData<typeof loader>()} />;
}
