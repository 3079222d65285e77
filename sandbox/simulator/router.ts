// Routes a request: /_sim/ to the control API, /_media/ to media downloads,
// everything else to the Graph API routes after its version, with failures
// forced through /_sim/fail-next on a path answered before any route runs.
import { accountRoutes } from "./accounts";
import { clockRoutes } from "./clock";
import { controlRoutes } from "./control";
import { GraphApiError, graphError, type GraphRoute, type Reply, type Request, type SimContext } from "./graph";
import { mediaBytes } from "./media";
import { messageRoutes } from "./messages";
import { oauthRoutes } from "./oauth";
import { templateRoutes } from "./templates";

const graphRoutes: GraphRoute[] = [...oauthRoutes, ...accountRoutes, ...templateRoutes, ...messageRoutes];

export async function route(ctx: SimContext, req: Request): Promise<Reply> {
  if (req.path[0] === "_sim") {
    const key = `${req.method} ${req.path.slice(1).join("/")}`;
    const handler = controlRoutes[key] ?? clockRoutes[key];
    return handler ? handler(ctx, req) : { status: 404, body: { error: `No simulator control route ${req.method} /${req.path.join("/")}` } };
  }
  if (req.path[0] === "_media" && req.method === "GET") return mediaBytes(ctx.world, req);
  const [version, ...rest] = req.path;
  if (!version || !/^v\d+\.\d+$/.test(version)) {
    return graphError(new GraphApiError(2500, "Unknown path components: the Graph API version must come first (e.g. /v25.0/...)", "", 400));
  }
  const path = rest.join("/");
  const forced = ctx.world.failNext.findIndex((f) => f.path !== undefined && path.endsWith(f.path));
  if (forced >= 0) {
    const [{ code }] = ctx.world.failNext.splice(forced, 1) as [{ code: number }];
    return graphError(new GraphApiError(code, `(#${code}) Simulated failure`, "Failure requested through /_sim/fail-next", code === 190 ? 401 : 400));
  }
  for (const r of graphRoutes) {
    const match = r.method === req.method ? r.pattern.exec(path) : null;
    if (match) {
      try {
        return r.handler(ctx, req, match);
      } catch (error) {
        if (error instanceof GraphApiError) return graphError(error);
        throw error;
      }
    }
  }
  return graphError(new GraphApiError(100, `(#100) Unsupported ${req.method} request to /${path}`, "", 400));
}
