import type { LoaderFunctionArgs } from "@remix-run/node";

import { campaignOf } from "../campaigns/campaigns.server";
import { campaignResults, campaignResultsCsv } from "../campaigns/results.server";
import { db } from "../core/db.server";
import { requireShop } from "../shopify/request.server";

// /app/campaigns/:campaignId/results.csv — the results page's figures and attributed orders as CSV.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const campaign = await campaignOf(db(), shop.id, params.campaignId ?? "");
  if (!campaign) throw new Response("Not found", { status: 404 });
  const csv = campaignResultsCsv(await campaignResults(db(), campaign));
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="campaign-${campaign.id}-results.csv"`,
      "cache-control": "no-store",
    },
  });
};
