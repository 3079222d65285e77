import type { LoaderFunctionArgs } from "@remix-run/node";

import { dataRequestExport } from "../shopify/data-requests.server";
import { db } from "../core/db.server";
import { requireShop } from "../shopify/request.server";

// /app/data-requests/:requestId — a customer's data (customers/data_request) as a JSON download; 404 for another shop's request.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const data = await dataRequestExport(db(), shop, params.requestId ?? "");
  if (!data) return new Response("Not found", { status: 404 });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="customer-${data.request.shopifyCustomerId}-data.json"`,
      "cache-control": "no-store",
    },
  });
};
