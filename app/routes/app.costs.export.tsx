import type { LoaderFunctionArgs } from "@remix-run/node";

import { db } from "../core/db.server";
import { costReportCsv, periodSchema } from "../pricing/report.server";
import { requireShop } from "../shopify/request.server";

// /app/costs/export?from=&to= — the cost report's rows as CSV.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const url = new URL(request.url);
  const period = periodSchema.safeParse({ from: url.searchParams.get("from"), to: url.searchParams.get("to") });
  if (!period.success) return new Response(period.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"), { status: 400 });
  const csv = await costReportCsv(db(), shop.id, period.data);
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="whatsapp-costs-${period.data.from}-${period.data.to}.csv"`,
      "cache-control": "no-store",
    },
  });
};
