import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { readiness } from "../jobs/readiness.server";

// GET /readyz: the database answers (else 503), Redis answers (with REDIS_URL),
// with queue depth and the age of the oldest waiting work. /healthz stays the
// cheap liveness check.
export const loader = async () => {
  const state = await readiness(db(), { redisUrl: config().REDIS_URL });
  return Response.json(state, { status: state.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
};
