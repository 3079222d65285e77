// The WABA and its phone numbers: reading them, subscribing the app,
// registering a Cloud API number, Coexistence syncs, and GET /{id}, which
// answers whichever object the id names (media, phone number or WABA).
import { randomBytes } from "node:crypto";

import { pricingAnalytics } from "./analytics";
import { authorize, GraphApiError, type GraphRoute, requirePhone, requireWaba } from "./graph";
import { findPhone, type SimPhoneNumber } from "./state";

const SYNC_WINDOW_MS = 24 * 60 * 60 * 1000;

export function phoneJson(p: SimPhoneNumber) {
  return {
    id: p.id,
    display_phone_number: p.displayPhoneNumber,
    verified_name: p.verifiedName,
    quality_rating: p.qualityRating,
    platform_type: p.registered ? "CLOUD_API" : "NOT_APPLICABLE",
    is_on_biz_app: p.coexistence,
    code_verification_status: "VERIFIED",
    throughput: { level: p.coexistence ? "COEXISTENCE" : "STANDARD" },
    whatsapp_business_manager_messaging_limit: "TIER_2K",
  };
}

export const accountRoutes: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^(\d+)\/phone_numbers$/,
    handler: (ctx, req, m) => {
      const waba = requireWaba(ctx.world, req, m[1]!);
      return { body: { data: waba.phoneNumbers.map((p) => phoneJson(p)) } };
    },
  },
  { method: "POST", pattern: /^(\d+)\/subscribed_apps$/, handler: (ctx, req, m) => ((requireWaba(ctx.world, req, m[1]!).subscribed = true), { body: { success: true } }) },
  { method: "DELETE", pattern: /^(\d+)\/subscribed_apps$/, handler: (ctx, req, m) => ((requireWaba(ctx.world, req, m[1]!).subscribed = false), { body: { success: true } }) },
  {
    method: "GET",
    pattern: /^(\d+)\/subscribed_apps$/,
    handler: (ctx, req, m) => ({ body: { data: requireWaba(ctx.world, req, m[1]!).subscribed ? [{ whatsapp_business_api_data: { id: ctx.appId ?? "sim-app", name: "Zap" } }] : [] } }),
  },
  {
    method: "POST",
    pattern: /^(\d+)\/register$/,
    handler: (ctx, req, m) => {
      const { phone } = requirePhone(ctx.world, req, m[1]!);
      if (phone.coexistence) throw new GraphApiError(100, "(#100) Invalid parameter", "This number is registered on the WhatsApp Business app (Coexistence); do not call /register");
      if (!/^\d{6}$/.test(String(req.body.pin ?? ""))) throw new GraphApiError(100, "(#100) Invalid parameter", "pin must be 6 digits");
      phone.registered = true;
      return { body: { success: true } };
    },
  },
  {
    method: "POST",
    pattern: /^(\d+)\/smb_app_data$/,
    handler: (ctx, req, m) => {
      const { phone } = requirePhone(ctx.world, req, m[1]!);
      const syncType = String(req.body.sync_type);
      if (!phone.coexistence || !["smb_app_state_sync", "history"].includes(syncType)) {
        throw new GraphApiError(100, "(#100) Invalid parameter", "sync_type must be smb_app_state_sync or history on a Coexistence number");
      }
      if (phone.syncRequests.some((r) => r.syncType === syncType)) throw new GraphApiError(2593107, "Synchronization request already made", `${syncType} was already requested for this onboarding`);
      if (Date.now() - phone.onboardedAt > SYNC_WINDOW_MS) throw new GraphApiError(2593108, "Synchronization request outside the allowed window", "Syncs must start within 24 hours of onboarding");
      const requestId = randomBytes(8).toString("hex");
      phone.syncRequests.push({ syncType, requestId, at: Date.now() });
      return { body: { messaging_product: "whatsapp", request_id: requestId } };
    },
  },
  {
    method: "GET",
    pattern: /^(\d+)$/,
    handler: ({ world, clock }, req, m) => {
      const id = m[1]!;
      const media = world.media.get(id);
      if (media) {
        authorize(world, req, id, media.wabaId);
        return { body: world.media.describe(media, req.origin) };
      }
      const found = findPhone(world, id);
      if (found) {
        authorize(world, req, id, found.waba.id);
        return { body: phoneJson(found.phone) };
      }
      const waba = requireWaba(world, req, id);
      const fields = req.query.get("fields") ?? "";
      if (fields.includes("pricing_analytics")) return { body: { id: waba.id, pricing_analytics: pricingAnalytics(world, waba.id, fields, clock.now()) } };
      return { body: { id: waba.id, name: waba.name, currency: waba.currency, timezone_id: waba.timezoneId, owner_business_info: { id: waba.businessId } } };
    },
  },
];
