// A WhatsApp Cloud API simulator: an HTTP server that answers the Graph API
// calls the app makes with Meta's documented shapes and error codes, and sends
// signed webhooks back (statuses, inbound messages, echoes, template reviews).
// Its /_sim/ API lets tests and people play the customer and the merchant's
// phone. Everything is in memory; a restart starts a fresh world.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";

import { localDay, nextDay, startOfDay } from "../../app/pricing/time";
import { clockRoutes, SimClock } from "./clock";
import { mediaUploadSchema } from "./media";
import { addBusiness, createWorld, findPhone, SEED, type SimMessage, type SimSettings, type SimTemplate, waUser, type World } from "./state";
import { facebookSdkScript, SIGNUP_ORDERS, signupDialogPage } from "./signup-pages";
import { checkNewTemplate, checkParameters, GraphApiError, quickReplies, type SentComponent, urlLinks } from "./templates";
import { WebhookSender } from "./webhooks";

export interface SimulatorOptions {
  port?: number;
  host?: string;
  appId?: string;
  appSecret: string;
  /** The app's Meta webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/whatsapp */
  webhookUrl?: string;
  settings?: Partial<SimSettings>;
}

export interface Simulator {
  url: string;
  world: World;
  settings: SimSettings;
  clock: SimClock;
  webhooks: WebhookSender;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: SimSettings = {
  ratePerSecond: 80,
  statusDelayMs: 50,
  sendRead: true,
  templateReviewMs: 500,
  reengagementError: "sync",
  signupOrder: "event-first",
  webhookRetryDelaysMs: [200, 1000, 3000],
  redeliverStatuses: false,
};

const CODE_TTL_MS = 30_000;
const WINDOW_MS = 24 * 60 * 60 * 1000;
const SYNC_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Per-delivered-message USD rates the simulator charges in pricing_analytics. */
const RATES: Record<string, { MARKETING: number; UTILITY: number; AUTHENTICATION: number }> = {
  BR: { MARKETING: 0.0625, UTILITY: 0.0068, AUTHENTICATION: 0.0068 },
  AR: { MARKETING: 0.0618, UTILITY: 0.026, AUTHENTICATION: 0.026 },
  CO: { MARKETING: 0.0125, UTILITY: 0.0008, AUTHENTICATION: 0.0008 },
  CL: { MARKETING: 0.0889, UTILITY: 0.02, AUTHENTICATION: 0.02 },
  US: { MARKETING: 0.025, UTILITY: 0.0034, AUTHENTICATION: 0.0034 },
  CA: { MARKETING: 0.025, UTILITY: 0.0034, AUTHENTICATION: 0.0034 },
};
const DEFAULT_RATE = { MARKETING: 0.05, UTILITY: 0.01, AUTHENTICATION: 0.01 };

type Json = Record<string, unknown>;
type Handler = (req: Request) => Promise<Reply> | Reply;
interface Request {
  method: string;
  path: string[];
  query: URLSearchParams;
  body: Json;
  token: string | undefined;
  /** The simulator's own origin as the caller reached it. */
  origin: string;
}
interface Reply {
  status?: number;
  body: unknown;
  /** Close the connection without answering (the request was acted on, the answer is lost). */
  dropConnection?: boolean;
  /** Non-JSON replies (the signup stand-ins) give their content type; body is then a string. */
  contentType?: string;
  location?: string;
}

function wamid(): string {
  return "wamid." + randomBytes(24).toString("base64url");
}

function countryOf(digits: string): string {
  return parsePhoneNumberFromString(`+${digits}`)?.country ?? "ZZ";
}

/** US numbers (+1 with a US area code) get no marketing since 2025-04-01. */
function isUsNumber(digits: string): boolean {
  return countryOf(digits) === "US";
}

/**
 * Meta's answer for an object the token may not reach (code 100, subcode 33):
 * the same whether the object is another business's or does not exist, so a
 * token learns nothing about objects outside its grant.
 */
class UnreachableObjectError extends GraphApiError {
  readonly subcode = 33;
  constructor(method: string, objectId: string) {
    super(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      "",
      400,
    );
  }
}

function graphError(error: GraphApiError): Reply {
  const unreachable = error instanceof UnreachableObjectError;
  return {
    status: error.httpStatus,
    body: {
      error: {
        message: error.message,
        type: unreachable ? "GraphMethodException" : "OAuthException",
        code: error.code,
        ...(unreachable ? { error_subcode: error.subcode } : {}),
        error_data: { messaging_product: "whatsapp", details: error.details },
        fbtrace_id: randomBytes(9).toString("base64url"),
      },
    },
  };
}

const sendSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  recipient_type: z.literal("individual").optional(),
  to: z.string(),
  type: z.enum(["template", "text"]),
  biz_opaque_callback_data: z.string().max(512).optional(),
  template: z
    .object({
      name: z.string(),
      language: z.object({ code: z.string() }),
      components: z.array(z.object({ type: z.string() }).passthrough()).default([]),
    })
    .optional(),
  text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }).optional(),
});

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const world = createWorld();
  const settings: SimSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  let webhookUrl = options.webhookUrl;
  const clock = new SimClock();
  const webhooks = new WebhookSender(world, () => ({ url: webhookUrl, appSecret: options.appSecret }), () => settings.webhookRetryDelaysMs, () => clock.now());
  const appId = options.appId;

  function requireWaba(req: Request, wabaId: string) {
    const waba = world.wabas.find((w) => w.id === wabaId);
    authorize(req, wabaId, waba?.id);
    return waba!;
  }

  /** The token must reach the WABA that holds the object (`ownerWabaId`, undefined when no such object exists). */
  function authorize(req: Request, objectId: string, ownerWabaId: string | undefined) {
    const reachable = req.token ? world.tokens.get(req.token) : undefined;
    if (!reachable) throw new GraphApiError(190, "Invalid OAuth access token - Cannot parse access token", "", 401);
    if (!ownerWabaId || reachable !== ownerWabaId) throw new UnreachableObjectError(req.method, objectId);
  }

  function requirePhone(req: Request, phoneNumberId: string) {
    const found = findPhone(world, phoneNumberId);
    authorize(req, phoneNumberId, found?.waba.id);
    return found!;
  }

  function emitStatuses(message: SimMessage, wabaId: string, failure?: { code: number; title: string }) {
    const phone = findPhone(world, message.phoneNumberId)!.phone;
    const steps: SimMessage["statuses"][number]["status"][] = failure ? ["failed"] : ["sent", "delivered", ...(settings.sendRead ? (["read"] as const) : [])];
    steps.forEach((status, index) => {
      const delay = settings.statusDelayMs + index * (settings.statusStepMs ?? settings.statusDelayMs);
      setTimeout(() => message.statuses.push({ status, at: Date.now(), errorCode: failure?.code }), delay);
      const value = {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: phone.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: phone.id },
          statuses: [
            {
              id: message.wamid,
              status,
              timestamp: String(Math.floor((message.acceptedAt + delay) / 1000)),
              recipient_id: message.to,
              ...(message.bizOpaqueCallbackData ? { biz_opaque_callback_data: message.bizOpaqueCallbackData } : {}),
              ...(failure
                ? { errors: [{ code: failure.code, title: failure.title, message: failure.title, error_data: { details: failure.title } }] }
                : { pricing: { billable: message.pricing.billable, pricing_model: "PMP", type: message.pricing.type, category: message.pricing.category } }),
            },
          ],
      };
      webhooks.send(wabaId, "messages", value, delay);
      if (settings.redeliverStatuses) webhooks.send(wabaId, "messages", value, delay + 250);
    });
  }

  function withinRate(phoneNumberId: string): boolean {
    const now = Date.now();
    const recent = (world.recentSends.get(phoneNumberId) ?? []).filter((t) => now - t < 1000);
    world.recentSends.set(phoneNumberId, recent);
    if (recent.length >= settings.ratePerSecond) return false;
    recent.push(now);
    return true;
  }

  function sendMessage(req: Request, phoneNumberId: string): Reply {
    const { waba, phone } = requirePhone(req, phoneNumberId);
    const parsed = sendSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new GraphApiError(100, "(#100) Invalid parameter", `${issue.path.join(".")}: ${issue.message}`);
    }
    const input = parsed.data;
    const forcedAt = world.failNext.findIndex((f) => !f.path && (!f.phoneNumberId || f.phoneNumberId === phoneNumberId));
    const forced = forcedAt >= 0 ? world.failNext.splice(forcedAt, 1)[0]! : undefined;
    if (forced && !forced.lostResponse && !forced.async) {
      throw new GraphApiError(forced.code, `(#${forced.code}) Simulated failure`, "Failure requested through /_sim/fail-next", forced.code === 190 ? 401 : 400);
    }
    if (!phone.registered) throw new GraphApiError(133010, "(#133010) Account not registered", "Register the phone number before sending");
    if (!withinRate(phoneNumberId)) {
      world.rateLimited++;
      throw new GraphApiError(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.");
    }
    const to = input.to.replace(/\D/g, "");
    if (to.length < 8 || to.length > 15) throw new GraphApiError(131009, "(#131009) Parameter value is not valid", "to: not a valid phone number");
    const windowOpen = clock.now() - (world.windows.get(`${phoneNumberId}:${waUser(to)}`) ?? 0) < WINDOW_MS;
    const message: SimMessage = {
      wamid: wamid(),
      phoneNumberId,
      to,
      type: input.type,
      bizOpaqueCallbackData: input.biz_opaque_callback_data,
      pricing: { category: "service", type: "free_customer_service", billable: false },
      country: countryOf(to),
      acceptedAt: clock.now(),
      statuses: [],
    };
    let failure: { code: number; title: string } | undefined;
    if (input.type === "template") {
      if (!input.template) throw new GraphApiError(100, "(#100) Invalid parameter", "template is required for type template");
      const template = waba.templates.find((t) => t.name === input.template!.name && t.language === input.template!.language.code);
      if (!template || template.status !== "APPROVED") {
        const paused = template?.status === "PAUSED";
        throw new GraphApiError(
          paused ? 132015 : 132001,
          paused ? "(#132015) Template is paused" : "(#132001) Template name does not exist in the translation",
          `template name (${input.template.name}) does not exist in ${input.template.language.code} or is not approved`,
          404,
        );
      }
      const parameters = checkParameters(template, input.template.components as SentComponent[]);
      const category = template.category.toLowerCase();
      const free = template.category === "UTILITY" && windowOpen;
      const sentComponents = input.template.components as SentComponent[];
      message.template = { name: template.name, language: template.language, category, parameters, buttons: quickReplies(template, sentComponents), links: urlLinks(template, sentComponents) };
      message.pricing = { category, type: free ? "free_customer_service" : "regular", billable: !free };
      if (template.category === "MARKETING" && isUsNumber(to)) {
        failure = { code: 131049, title: "This message was not delivered to maintain healthy ecosystem engagement." };
      }
    } else {
      if (!input.text) throw new GraphApiError(100, "(#100) Invalid parameter", "text is required for type text");
      if (!windowOpen) {
        const title = "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";
        if (settings.reengagementError === "sync") throw new GraphApiError(131047, "(#131047) Re-engagement message", title);
        failure = { code: 131047, title };
      }
      message.text = input.text.body;
    }
    if (forced?.async) failure = { code: forced.code, title: "Simulated failure requested through /_sim/fail-next" };
    world.messages.push(message);
    emitStatuses(message, waba.id, failure);
    return {
      dropConnection: forced?.lostResponse,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: input.to, wa_id: to }],
        messages: [{ id: message.wamid, message_status: "accepted" }],
      },
    };
  }

  function templateJson(t: SimTemplate) {
    return { id: t.id, name: t.name, language: t.language, status: t.status, category: t.category, parameter_format: t.parameterFormat, components: t.components };
  }

  function createTemplate(req: Request, wabaId: string): Reply {
    const waba = requireWaba(req, wabaId);
    checkNewTemplate(req.body);
    const { name, language, category, components } = req.body as { name: string; language: string; category: SimTemplate["category"]; components: Json[] };
    if (waba.templates.some((t) => t.name === name && t.language === language)) {
      throw new GraphApiError(100, "(#100) Invalid parameter", `Content in this language already exists for template ${name}`);
    }
    const template: SimTemplate = {
      id: String(1_000_000_000_000 + waba.templates.length + 1),
      name,
      language,
      category,
      status: "PENDING",
      parameterFormat: req.body.parameter_format === "NAMED" ? "NAMED" : "POSITIONAL",
      components,
    };
    waba.templates.push(template);
    setTimeout(() => setTemplateStatus(waba.id, template, "APPROVED"), settings.templateReviewMs);
    return { body: { id: template.id, status: template.status, category: template.category } };
  }

  function setTemplateStatus(wabaId: string, template: SimTemplate, status: string, reason = "NONE") {
    template.status = status;
    webhooks.send(wabaId, "message_template_status_update", {
      event: status,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      message_template_category: template.category,
      reason,
    });
  }

  function pricingAnalytics(wabaId: string, fields: string): Json {
    const start = Number(/\.start\((\d+)\)/.exec(fields)?.[1] ?? 0);
    const end = Number(/\.end\((\d+)\)/.exec(fields)?.[1] ?? Math.floor(clock.now() / 1000));
    const waba = world.wabas.find((w) => w.id === wabaId);
    const phones = new Set(waba?.phoneNumbers.map((p) => p.id));
    const timeZone = waba?.timezoneId ?? "UTC";
    const withTier = /dimensions\([^)]*TIER/.test(fields);
    const points = new Map<string, Json & { volume: number; cost: number }>();
    for (const m of world.messages) {
      const delivered = m.statuses.some((s) => s.status === "delivered" || s.status === "read");
      const at = Math.floor(m.acceptedAt / 1000);
      if (!phones.has(m.phoneNumberId) || !delivered || at < start || at >= end) continue;
      // Days are the WABA's days: they start at local midnight in its timezone.
      const day = localDay(new Date(at * 1000), timeZone);
      const dayStart = startOfDay(day, timeZone).getTime() / 1000;
      const category = m.pricing.category.toUpperCase();
      const type = m.pricing.type.toUpperCase();
      const key = [dayStart, m.country, category, type].join("|");
      const rates = RATES[m.country] ?? DEFAULT_RATE;
      const unit = type === "REGULAR" && category in rates ? rates[category as keyof typeof rates] : 0;
      const tier = withTier ? { tier: "0:MAX" } : {};
      const point = points.get(key) ?? {
        start: dayStart,
        end: startOfDay(nextDay(day), timeZone).getTime() / 1000,
        country: m.country,
        pricing_category: category,
        pricing_type: type,
        ...tier,
        volume: 0,
        cost: 0,
      };
      point.volume += 1;
      point.cost = Math.round((point.cost + unit) * 1e6) / 1e6;
      points.set(key, point);
    }
    return { data: [{ data_points: [...points.values()] }] };
  }

  const graph: { method: string; pattern: RegExp; handler: (req: Request, match: RegExpExecArray) => Reply }[] = [
    {
      method: "GET",
      pattern: /^oauth\/access_token$/,
      handler: (req) => {
        if (appId && req.query.get("client_id") !== appId) throw new GraphApiError(101, "Error validating application. Invalid application ID.", "");
        if (req.query.get("client_secret") !== options.appSecret) throw new GraphApiError(1, "Error validating client secret.", "");
        const code = req.query.get("code") ?? "";
        const grant = world.codes.get(code);
        world.codes.delete(code);
        if (!grant || Date.now() - grant.issuedAt > CODE_TTL_MS) {
          throw new GraphApiError(100, "Invalid verification code format.", "The code has expired or was already used");
        }
        if ((grant.redirectUri ?? null) !== (req.query.get("redirect_uri") ?? null)) {
          throw new GraphApiError(100, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request", "");
        }
        const token = "sim-bisu-" + randomBytes(16).toString("hex");
        world.tokens.set(token, grant.wabaId);
        return { body: { access_token: token, token_type: "bearer" } };
      },
    },
    {
      method: "GET",
      pattern: /^debug_token$/,
      handler: (req) => {
        // Inspecting a token takes the app's own token (app id|app secret), as on Meta.
        if (!req.token?.endsWith(`|${options.appSecret}`) || (appId && req.token !== `${appId}|${options.appSecret}`)) {
          throw new GraphApiError(190, "Invalid OAuth access token signature.", "", 400);
        }
        const wabaId = world.tokens.get(req.query.get("input_token") ?? "");
        if (!wabaId) throw new GraphApiError(190, "Invalid OAuth access token", "", 401);
        return { body: { data: { app_id: appId, is_valid: true, granular_scopes: [{ scope: "whatsapp_business_management", target_ids: [wabaId] }, { scope: "whatsapp_business_messaging", target_ids: [wabaId] }] } } };
      },
    },
    {
      method: "GET",
      pattern: /^(\d+)\/phone_numbers$/,
      handler: (req, m) => {
        const waba = requireWaba(req, m[1]!);
        return { body: { data: waba.phoneNumbers.map((p) => phoneJson(p)) } };
      },
    },
    { method: "POST", pattern: /^(\d+)\/subscribed_apps$/, handler: (req, m) => ((requireWaba(req, m[1]!).subscribed = true), { body: { success: true } }) },
    { method: "DELETE", pattern: /^(\d+)\/subscribed_apps$/, handler: (req, m) => ((requireWaba(req, m[1]!).subscribed = false), { body: { success: true } }) },
    {
      method: "GET",
      pattern: /^(\d+)\/subscribed_apps$/,
      handler: (req, m) => ({ body: { data: requireWaba(req, m[1]!).subscribed ? [{ whatsapp_business_api_data: { id: appId ?? "sim-app", name: "Zap" } }] : [] } }),
    },
    {
      method: "POST",
      pattern: /^(\d+)\/register$/,
      handler: (req, m) => {
        const { phone } = requirePhone(req, m[1]!);
        if (phone.coexistence) throw new GraphApiError(100, "(#100) Invalid parameter", "This number is registered on the WhatsApp Business app (Coexistence); do not call /register");
        if (!/^\d{6}$/.test(String(req.body.pin ?? ""))) throw new GraphApiError(100, "(#100) Invalid parameter", "pin must be 6 digits");
        phone.registered = true;
        return { body: { success: true } };
      },
    },
    {
      method: "POST",
      pattern: /^(\d+)\/smb_app_data$/,
      handler: (req, m) => {
        const { phone } = requirePhone(req, m[1]!);
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
      pattern: /^(\d+)\/message_templates$/,
      handler: (req, m) => {
        const waba = requireWaba(req, m[1]!);
        const limit = Math.min(Number(req.query.get("limit") ?? 25), 100);
        const offset = Number(req.query.get("after") ?? 0);
        const filtered = waba.templates.filter((t) => (!req.query.get("status") || t.status === req.query.get("status")) && (!req.query.get("name") || t.name === req.query.get("name")));
        const page = filtered.slice(offset, offset + limit);
        const more = offset + limit < filtered.length;
        return { body: { data: page.map(templateJson), paging: { cursors: { before: String(offset), after: String(offset + limit) }, ...(more ? { next: "more" } : {}) } } };
      },
    },
    { method: "POST", pattern: /^(\d+)\/message_templates$/, handler: (req, m) => createTemplate(req, m[1]!) },
    {
      method: "DELETE",
      pattern: /^(\d+)\/message_templates$/,
      handler: (req, m) => {
        const waba = requireWaba(req, m[1]!);
        const name = req.query.get("name");
        waba.templates = waba.templates.filter((t) => t.name !== name || (req.query.get("hsm_id") && t.id !== req.query.get("hsm_id")));
        return { body: { success: true } };
      },
    },
    { method: "POST", pattern: /^(\d+)\/messages$/, handler: (req, m) => sendMessage(req, m[1]!) },
    {
      // Meta's OAuth dialog opened as a page (the Embedded Signup fallback): redirect mode.
      method: "GET",
      pattern: /^dialog\/oauth$/,
      handler: (req) => {
        const redirectUri = req.query.get("redirect_uri");
        if (!redirectUri || (appId && req.query.get("client_id") !== appId)) throw new GraphApiError(100, "Invalid client_id or redirect_uri", "");
        const extras = req.query.get("extras") ?? "";
        return {
          contentType: "text/html; charset=utf-8",
          body: signupDialogPage({ mode: "redirect", coexistence: extras.includes("whatsapp_business_app_onboarding"), order: "event-first", redirectUri, state: req.query.get("state") ?? undefined }),
        };
      },
    },
    {
      method: "GET",
      pattern: /^(\d+)$/,
      handler: (req, m) => {
        const id = m[1]!;
        const media = world.media.get(id);
        if (media) {
          authorize(req, id, media.wabaId);
          return { body: world.media.describe(media, req.origin) };
        }
        const found = findPhone(world, id);
        if (found) {
          authorize(req, id, found.waba.id);
          return { body: phoneJson(found.phone) };
        }
        const waba = requireWaba(req, id);
        const fields = req.query.get("fields") ?? "";
        if (fields.includes("pricing_analytics")) return { body: { id: waba.id, pricing_analytics: pricingAnalytics(waba.id, fields) } };
        return { body: { id: waba.id, name: waba.name, currency: waba.currency, timezone_id: waba.timezoneId, owner_business_info: { id: waba.businessId } } };
      },
    },
  ];

  function phoneJson(p: World["wabas"][number]["phoneNumbers"][number]) {
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

  /** A download URL from GET /{media-id}: the bytes, for a token that reaches the media's WABA. */
  function mediaBytes(req: Request): Reply {
    const media = world.media.resolve(req.path[1] ?? "");
    if (!req.token || !world.tokens.has(req.token)) return { status: 401, body: { error: "A bearer token is required" } };
    if (!media || world.tokens.get(req.token) !== media.wabaId) return { status: 404, body: { error: "Not found or expired" } };
    return { contentType: media.mimeType, body: media.bytes };
  }

  const control: Record<string, Handler> = { ...controlRoutes({ world, settings, clock, webhooks, phoneJson }), ...clockRoutes(clock) };

  async function route(req: Request): Promise<Reply> {
    if (req.path[0] === "_sim") {
      const handler = control[`${req.method} ${req.path.slice(1).join("/")}`];
      return handler ? handler(req) : { status: 404, body: { error: `No simulator control route ${req.method} /${req.path.join("/")}` } };
    }
    if (req.path[0] === "_media" && req.method === "GET") return mediaBytes(req);
    const [version, ...rest] = req.path;
    if (!version || !/^v\d+\.\d+$/.test(version)) {
      return graphError(new GraphApiError(2500, "Unknown path components: the Graph API version must come first (e.g. /v25.0/...)", "", 400));
    }
    const path = rest.join("/");
    const forced = world.failNext.findIndex((f) => f.path !== undefined && path.endsWith(f.path));
    if (forced >= 0) {
      const [{ code }] = world.failNext.splice(forced, 1) as [{ code: number }];
      return graphError(new GraphApiError(code, `(#${code}) Simulated failure`, "Failure requested through /_sim/fail-next", code === 190 ? 401 : 400));
    }
    for (const r of graph) {
      const match = r.method === req.method ? r.pattern.exec(path) : null;
      if (match) {
        try {
          return r.handler(req, match);
        } catch (error) {
          if (error instanceof GraphApiError) return graphError(error);
          throw error;
        }
      }
    }
    return graphError(new GraphApiError(100, `(#100) Unsupported ${req.method} request to /${path}`, "", 400));
  }

  const server: Server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing);
  });

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse) {
    const url = new URL(incoming.url ?? "/", "http://simulator");
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: Json = {};
    let reply: Reply;
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
      const auth = incoming.headers.authorization;
      reply = await route({
        method: incoming.method ?? "GET",
        path: url.pathname.split("/").filter(Boolean),
        query: url.searchParams,
        body,
        token: auth?.startsWith("Bearer ") ? auth.slice(7) : (url.searchParams.get("access_token") ?? undefined),
        origin: `http://${incoming.headers.host ?? "127.0.0.1"}`,
      });
    } catch (error) {
      reply = error instanceof SyntaxError ? graphError(new GraphApiError(100, "(#100) The request body is not valid JSON", "", 400)) : { status: 500, body: { error: String(error) } };
    }
    if (reply.dropConnection) {
      incoming.socket.destroy();
      return;
    }
    outgoing.writeHead(reply.status ?? 200, {
      "content-type": reply.contentType ?? "application/json",
      // Pages load the SDK stand-in with crossorigin="anonymous", as Meta's snippet does.
      ...(reply.contentType?.startsWith("text/javascript") ? { "access-control-allow-origin": "*" } : {}),
      ...(reply.location ? { location: reply.location } : {}),
    });
    outgoing.end(Buffer.isBuffer(reply.body) ? reply.body : reply.contentType ? String(reply.body) : JSON.stringify(reply.body));
  }

  // Idle connections stay open a minute, as behind Meta's load balancers; Node's 5 s
  // default makes clients race the server's close when they reuse a socket.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    world,
    settings,
    clock,
    webhooks,
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    close: async () => {
      await webhooks.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const inboundSchema = z
  .object({
    from: z.string().regex(/^\+?\d{8,15}$/),
    text: z.string().min(1).optional(),
    name: z.string().optional(),
    phoneNumberId: z.string().default(SEED.cloudPhoneNumberId),
    contextWamid: z.string().optional(),
    userId: z.string().optional(),
    /** The customer taps the n-th quick reply of the message `contextWamid` names. */
    button: z.object({ index: z.number().int().min(0) }).optional(),
  })
  .refine((input) => Boolean(input.text) !== Boolean(input.button), { message: "give either text or button", path: ["text"] })
  .refine((input) => !input.button || input.contextWamid, { message: "a button tap needs the contextWamid of the message it belongs to", path: ["contextWamid"] });
const echoSchema = z.object({ to: z.string().regex(/^\+?\d{8,15}$/), text: z.string().min(1), phoneNumberId: z.string().default(SEED.coexistencePhoneNumberId) });
const failNextSchema = z.object({
  code: z.number().int().default(131000),
  count: z.number().int().min(1).max(10_000).default(1),
  phoneNumberId: z.string().optional(),
  /** Fail the next Graph request whose path ends with this (e.g. "register"); without it, the next send. */
  path: z.string().min(1).optional(),
  /** Accept the send (statuses follow as usual) but drop the connection before answering. */
  lostResponse: z.boolean().optional(),
  /** Accept the send, then fail it in a `failed` status webhook (as Meta reports an undeliverable message). */
  async: z.boolean().optional(),
});
const settingsSchema = z
  .object({
    ratePerSecond: z.number().positive(),
    statusDelayMs: z.number().min(0),
    statusStepMs: z.number().min(0),
    sendRead: z.boolean(),
    templateReviewMs: z.number().min(0),
    reengagementError: z.enum(["sync", "async"]),
    signupOrder: z.enum(SIGNUP_ORDERS),
    webhookRetryDelaysMs: z.array(z.number().int().min(0)).max(50),
    redeliverStatuses: z.boolean(),
  })
  .partial();
const rawWebhookSchema = z.object({ field: z.string(), value: z.record(z.unknown()), wabaId: z.string().default(SEED.wabaId), time: z.number().int().positive().optional() });
const templateStatusSchema = z.object({ name: z.string(), language: z.string().optional(), status: z.string(), reason: z.string().default("NONE") });
const businessSchema = z.object({ name: z.string().min(1).default("Another Store"), coexistence: z.boolean().default(false) });

function controlRoutes(ctx: { world: World; settings: SimSettings; clock: SimClock; webhooks: WebhookSender; phoneJson: (p: World["wabas"][number]["phoneNumbers"][number]) => unknown }) {
  const { world, settings, clock, webhooks } = ctx;
  const invalid = (error: z.ZodError): Reply => ({ status: 400, body: { error: error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } });
  const routes: Record<string, Handler> = {
    "GET messages": () => ({
      body: world.messages.map((m) => ({
        wamid: m.wamid,
        phoneNumberId: m.phoneNumberId,
        to: m.to,
        type: m.type,
        template: m.template
          ? { name: m.template.name, language: m.template.language, category: m.template.category, parameters: m.template.parameters, buttons: m.template.buttons.map((b) => b.text), links: m.template.links }
          : undefined,
        text: m.text,
        pricing: m.pricing,
        country: m.country,
        time: new Date(m.acceptedAt).toISOString(),
        statuses: m.statuses.map((s) => s.status),
      })),
    }),
    "DELETE messages": () => {
      world.messages.length = 0;
      world.windows.clear();
      world.failNext.length = 0;
      world.recentSends.clear();
      world.rateLimited = 0;
      return { body: { ok: true } };
    },
    "POST inbound": (req) => {
      const parsed = inboundSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      const { from, text, name, phoneNumberId, contextWamid, userId, button } = parsed.data;
      const found = findPhone(world, phoneNumberId);
      if (!found) return { status: 404, body: { error: `unknown phoneNumberId ${phoneNumberId}` } };
      const tapped = button ? world.messages.find((m) => m.wamid === contextWamid)?.template?.buttons[button.index] : undefined;
      if (button && !tapped) return { status: 400, body: { error: `message ${contextWamid} has no quick reply #${button.index}` } };
      const digits = from.replace(/\D/g, "");
      world.windows.set(`${phoneNumberId}:${waUser(digits)}`, clock.now());
      const id = wamid();
      webhooks.send(found.waba.id, "messages", {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: found.phone.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: phoneNumberId },
        contacts: [{ profile: { name: name ?? "Customer" }, wa_id: digits, ...(userId ? { user_id: userId } : {}) }],
        messages: [
          {
            from: digits,
            id,
            timestamp: String(Math.floor(clock.now() / 1000)),
            ...(tapped ? { type: "button", button: { payload: tapped.payload, text: tapped.text } } : { type: "text", text: { body: text } }),
            ...(contextWamid ? { context: { from: found.phone.displayPhoneNumber.replace(/\D/g, ""), id: contextWamid } } : {}),
          },
        ],
      });
      return { body: { wamid: id } };
    },
    "POST echo": (req) => {
      const parsed = echoSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      const { to, text, phoneNumberId } = parsed.data;
      const found = findPhone(world, phoneNumberId);
      if (!found) return { status: 404, body: { error: `unknown phoneNumberId ${phoneNumberId}` } };
      const id = wamid();
      const display = found.phone.displayPhoneNumber.replace(/\D/g, "");
      webhooks.send(found.waba.id, "smb_message_echoes", {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: display, phone_number_id: phoneNumberId },
        message_echoes: [{ from: display, to: to.replace(/\D/g, ""), id, timestamp: String(Math.floor(clock.now() / 1000)), type: "text", text: { body: text } }],
      });
      return { body: { wamid: id } };
    },
    "POST fail-next": (req) => {
      const parsed = failNextSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      const { code, phoneNumberId, path, lostResponse, async } = parsed.data;
      for (let i = 0; i < parsed.data.count; i++) world.failNext.push({ code, phoneNumberId, path, lostResponse, async });
      return { body: { queued: world.failNext.length } };
    },
    "POST media": (req) => {
      const parsed = mediaUploadSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      const item = world.media.add(parsed.data.wabaId ?? SEED.wabaId, parsed.data.mimeType, Buffer.from(parsed.data.base64, "base64"));
      return { body: { id: item.id } };
    },
    "GET settings": () => ({ body: settings }),
    "PATCH settings": (req) => {
      const parsed = settingsSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      Object.assign(settings, parsed.data);
      return { body: settings };
    },
    "GET webhooks": () => ({ body: world.webhookDeliveries }),
    "POST webhook": (req) => {
      const parsed = rawWebhookSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      webhooks.send(parsed.data.wabaId, parsed.data.field, parsed.data.value, 0, parsed.data.time);
      return { body: { queued: true } };
    },
    "GET idle": async () => {
      await webhooks.idle();
      return { body: { idle: true } };
    },
    "POST businesses": (req) => {
      const parsed = businessSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      return { body: addBusiness(world, parsed.data) };
    },
    "POST signup-codes": (req) => {
      const wabaId = typeof req.body.wabaId === "string" ? req.body.wabaId : SEED.wabaId;
      const waba = world.wabas.find((w) => w.id === wabaId);
      if (!waba) return { status: 404, body: { error: `unknown wabaId ${wabaId}` } };
      if (req.body.coexistence === true) {
        // A Coexistence signup is a new onboarding: its 24 h sync window starts now.
        for (const phone of waba.phoneNumbers.filter((p) => p.coexistence)) {
          phone.onboardedAt = Date.now();
          phone.syncRequests = [];
        }
      }
      const code = "sim-code-" + randomBytes(12).toString("hex");
      world.codes.set(code, { wabaId, issuedAt: Date.now(), redirectUri: typeof req.body.redirectUri === "string" ? req.body.redirectUri : undefined });
      return { body: { code } };
    },
    "GET fb-sdk.js": (req) => ({ contentType: "text/javascript; charset=utf-8", body: facebookSdkScript(req.origin) }),
    "GET es-dialog": (req) => ({
      contentType: "text/html; charset=utf-8",
      body: signupDialogPage({
        mode: "popup",
        coexistence: req.query.get("feature") === "whatsapp_business_app_onboarding",
        order: SIGNUP_ORDERS.find((order) => order === req.query.get("order")) ?? settings.signupOrder,
      }),
    }),
    "POST template-status": (req) => {
      const parsed = templateStatusSchema.safeParse(req.body);
      if (!parsed.success) return invalid(parsed.error);
      const waba = world.wabas[0]!;
      const targets = waba.templates.filter((t) => t.name === parsed.data.name && (!parsed.data.language || t.language === parsed.data.language));
      if (targets.length === 0) return { status: 404, body: { error: `no template ${parsed.data.name}` } };
      for (const t of targets) {
        t.status = parsed.data.status;
        webhooks.send(waba.id, "message_template_status_update", {
          event: parsed.data.status,
          message_template_id: Number(t.id),
          message_template_name: t.name,
          message_template_language: t.language,
          message_template_category: t.category,
          reason: parsed.data.reason,
        });
      }
      return { body: { updated: targets.length } };
    },
    "GET state": () => ({
      body: {
        rateLimited: world.rateLimited,
        wabas: world.wabas.map((w) => ({
          id: w.id,
          subscribed: w.subscribed,
          currency: w.currency,
          phoneNumbers: w.phoneNumbers.map((p) => ({ ...(ctx.phoneJson(p) as Json), registered: p.registered, syncRequests: p.syncRequests })),
          templates: w.templates.map((t) => ({ name: t.name, language: t.language, status: t.status, category: t.category })),
        })),
      },
    }),
  };
  return routes;
}
