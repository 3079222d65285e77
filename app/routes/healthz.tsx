import { db } from "../core/db.server";

// Liveness and readiness: 200 once the database answers.
export const loader = async () => {
  await db().$queryRaw`SELECT 1`;
  return new Response("ok", { headers: { "content-type": "text/plain", "cache-control": "no-store" } });
};
