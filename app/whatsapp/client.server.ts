// The WhatsApp Cloud API client: the only code that talks to Meta's Graph API.
// It reaches Meta through WHATSAPP_GRAPH_URL, so the same code runs against the
// sandbox simulator and graph.facebook.com. Responses are validated with zod;
// failures come back as GraphError values, never thrown strings.
import { z } from "zod";

import { isRetryableError } from "./errors";
import { graphFetch, graphFetchWith, type GraphTimeouts } from "./graph-http.server";

export interface GraphErrorInfo {
  code: number;
  message: string;
  details?: string;
  httpStatus: number;
  fbtraceId?: string;
  retryable: boolean;
  /**
   * The request may have reached Meta and been acted on (timeout, connection
   * lost mid-request, a gateway error or an unreadable 2xx): for a send, the
   * message may exist, so it must not be sent again blind.
   */
  outcomeUnknown?: boolean;
}

export type GraphResult<T> = { ok: true; value: T } | { ok: false; error: GraphErrorInfo };

const errorEnvelope = z.object({
  error: z.object({
    message: z.string(),
    code: z.number(),
    error_data: z.object({ details: z.string().optional() }).passthrough().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

export const sendResponseSchema = z.object({
  messaging_product: z.literal("whatsapp"),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string() })).optional(),
  messages: z.array(z.object({ id: z.string(), message_status: z.string().optional() })).min(1),
});

const successSchema = z.object({ success: z.boolean() });
const tokenSchema = z.object({ access_token: z.string(), token_type: z.string().optional(), expires_in: z.number().optional() });
const phoneNumberSchema = z
  .object({
    id: z.string(),
    display_phone_number: z.string().optional(),
    verified_name: z.string().optional(),
    quality_rating: z.string().optional(),
    platform_type: z.string().optional(),
    is_on_biz_app: z.boolean().optional(),
    throughput: z.object({ level: z.string() }).optional(),
    whatsapp_business_manager_messaging_limit: z.string().optional(),
  })
  .passthrough();
const wabaSchema = z.object({ id: z.string(), name: z.string().optional(), currency: z.string().optional(), timezone_id: z.string().optional() }).passthrough();
export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string(),
  parameter_format: z.string().optional(),
  components: z.array(z.record(z.unknown())),
});
const templatePageSchema = z.object({
  data: z.array(templateSchema),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const syncSchema = z.object({ request_id: z.string() });
const mediaSchema = z.object({ id: z.string().optional(), url: z.string().url(), mime_type: z.string().optional(), sha256: z.string().optional(), file_size: z.coerce.number().optional() });
const debugTokenSchema = z.object({
  data: z.object({
    is_valid: z.boolean().optional(),
    granular_scopes: z.array(z.object({ scope: z.string(), target_ids: z.array(z.string()).optional() })).default([]),
  }),
});

export const pricingPointSchema = z.object({
  start: z.number(),
  end: z.number(),
  country: z.string().optional(),
  pricing_category: z.string().optional(),
  pricing_type: z.string().optional(),
  tier: z.string().optional(),
  volume: z.number().optional(),
  cost: z.number().optional(),
});
const pricingAnalyticsSchema = z.object({
  id: z.string(),
  pricing_analytics: z.object({ data: z.array(z.object({ data_points: z.array(pricingPointSchema).optional() })).optional() }).optional(),
});

export type SendResponse = z.infer<typeof sendResponseSchema>;
export type PhoneNumber = z.infer<typeof phoneNumberSchema>;

/** What the account keeps of its number as Meta reads it (signup, the seed, the worker's health reading); null where Meta gave nothing. */
export function numberFacts(phone: PhoneNumber) {
  return {
    verifiedName: phone.verified_name ?? null,
    qualityRating: phone.quality_rating ?? null,
    messagingLimitTier: phone.whatsapp_business_manager_messaging_limit ?? null,
    throughputLevel: phone.throughput?.level ?? null,
  };
}
export type GraphTemplate = z.infer<typeof templateSchema>;

/** A body or URL button parameter (text), or a quick-reply button's payload. */
export type TemplateParameter = { type: "text"; text: string; parameter_name?: string } | { type: "payload"; payload: string };
export type OutgoingMessage =
  | {
      type: "template";
      to: string;
      template: {
        name: string;
        language: { code: string };
        components?: { type: string; sub_type?: string; index?: string; parameters: TemplateParameter[] }[];
      };
      bizOpaqueCallbackData?: string;
    }
  | { type: "text"; to: string; text: { body: string; preview_url?: boolean }; bizOpaqueCallbackData?: string };

export interface WhatsAppClientOptions {
  baseUrl: string;
  version: string;
  accessToken?: string;
  fetch?: typeof fetch;
  /** Limits other than the process's (graph-http.server.ts), for a client of its own. */
  timeouts?: GraphTimeouts;
}

/** A client for the configured Graph API, with no token yet. */
export function graphClient(config: { WHATSAPP_GRAPH_URL: string; WHATSAPP_GRAPH_VERSION: string }): WhatsAppClient {
  return new WhatsAppClient({ baseUrl: config.WHATSAPP_GRAPH_URL, version: config.WHATSAPP_GRAPH_VERSION });
}

export class WhatsAppClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: WhatsAppClientOptions) {
    this.fetchImpl = options.fetch ?? (options.timeouts ? graphFetchWith(options.timeouts) : graphFetch);
  }

  withToken(accessToken: string): WhatsAppClient {
    return new WhatsAppClient({ ...this.options, accessToken, fetch: this.fetchImpl });
  }

  sendMessage(phoneNumberId: string, message: OutgoingMessage): Promise<GraphResult<SendResponse>> {
    const { bizOpaqueCallbackData, ...rest } = message;
    return this.request("POST", `${phoneNumberId}/messages`, sendResponseSchema, {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      ...rest,
      ...(bizOpaqueCallbackData ? { biz_opaque_callback_data: bizOpaqueCallbackData } : {}),
    });
  }

  /** Embedded Signup: the 30-second code for the business token. */
  exchangeCode(input: { appId: string; appSecret: string; code: string; redirectUri?: string }) {
    const query = new URLSearchParams({ client_id: input.appId, client_secret: input.appSecret, code: input.code });
    if (input.redirectUri) query.set("redirect_uri", input.redirectUri);
    return this.request("GET", `oauth/access_token?${query}`, tokenSchema, undefined, { authenticate: false });
  }

  /** Which WABAs a business token can manage (redirect-mode signup has no session event). */
  debugToken(inputToken: string, appToken: string) {
    const query = new URLSearchParams({ input_token: inputToken, access_token: appToken });
    return this.request("GET", `debug_token?${query}`, debugTokenSchema, undefined, { authenticate: false });
  }

  getWaba(wabaId: string) {
    return this.request("GET", `${wabaId}?fields=id,name,currency,timezone_id`, wabaSchema);
  }

  /**
   * Meta's daily pricing figures by category, type, country and tier (start/end in Unix seconds), for one number
   * of the WABA (its display number; Meta filters by its digits).
   */
  pricingAnalytics(wabaId: string, range: { start: number; end: number }, displayPhoneNumber: string) {
    const field =
      `pricing_analytics.start(${range.start}).end(${range.end}).granularity(DAILY)` +
      `.phone_numbers(${JSON.stringify([displayPhoneNumber.replace(/\D/g, "")])})` +
      ".dimensions(PRICING_CATEGORY,PRICING_TYPE,COUNTRY,TIER).metric_types(COST,VOLUME)";
    return this.request("GET", `${wabaId}?fields=${encodeURIComponent(field)}`, pricingAnalyticsSchema);
  }

  listPhoneNumbers(wabaId: string) {
    const fields = "id,display_phone_number,verified_name,quality_rating,platform_type,is_on_biz_app,throughput,whatsapp_business_manager_messaging_limit";
    return this.request("GET", `${wabaId}/phone_numbers?fields=${fields}`, z.object({ data: z.array(phoneNumberSchema) }));
  }

  getPhoneNumber(phoneNumberId: string) {
    const fields = "id,display_phone_number,verified_name,quality_rating,platform_type,is_on_biz_app,throughput,whatsapp_business_manager_messaging_limit";
    return this.request("GET", `${phoneNumberId}?fields=${fields}`, phoneNumberSchema);
  }

  subscribeApp(wabaId: string) {
    return this.request("POST", `${wabaId}/subscribed_apps`, successSchema, {});
  }

  unsubscribeApp(wabaId: string) {
    return this.request("DELETE", `${wabaId}/subscribed_apps`, successSchema);
  }

  registerNumber(phoneNumberId: string, pin: string) {
    return this.request("POST", `${phoneNumberId}/register`, successSchema, { messaging_product: "whatsapp", pin });
  }

  /** Coexistence only; each sync type can be requested once per onboarding. */
  requestSync(phoneNumberId: string, syncType: "smb_app_state_sync" | "history") {
    return this.request("POST", `${phoneNumberId}/smb_app_data`, syncSchema, { messaging_product: "whatsapp", sync_type: syncType });
  }

  async listTemplates(wabaId: string): Promise<GraphResult<GraphTemplate[]>> {
    const all: GraphTemplate[] = [];
    let after: string | undefined;
    do {
      const query = new URLSearchParams({ fields: "id,name,status,category,language,components,parameter_format", limit: "100" });
      if (after) query.set("after", after);
      const page = await this.request("GET", `${wabaId}/message_templates?${query}`, templatePageSchema);
      if (!page.ok) return page;
      all.push(...page.value.data);
      after = page.value.paging?.next ? page.value.paging.cursors?.after : undefined;
    } while (after);
    return { ok: true, value: all };
  }

  /** A received media's short-lived download URL (GET /{media-id}). */
  getMedia(mediaId: string) {
    return this.request("GET", encodeURIComponent(mediaId), mediaSchema);
  }

  /** The media's bytes from the URL getMedia gave: a response to stream on, or the failure. */
  async downloadMedia(url: string): Promise<GraphResult<Response>> {
    if (!this.options.accessToken) return failure(0, "No access token for this WhatsApp account", 401);
    if (!isMediaUrl(url, this.options.baseUrl)) return failure(3, "The media URL is not Meta's: the token is not sent there", 502);
    try {
      // The signal covers the whole body, streamed on to the browser: minutes, not seconds (videos run to 16 MB, documents to 100 MB).
      const signal = AbortSignal.timeout(MEDIA_DOWNLOAD_MS);
      // Redirects are followed by hand, each hop checked like the first: the token never follows one elsewhere.
      let response = await this.fetchImpl(url, { headers: { authorization: `Bearer ${this.options.accessToken}` }, redirect: "manual", signal });
      for (let hops = 0; response.status >= 300 && response.status < 400 && hops < MAX_MEDIA_REDIRECTS; hops++) {
        const next = response.headers.get("location");
        await response.body?.cancel();
        const target = next ? new URL(next, response.url || url).toString() : "";
        if (!isMediaUrl(target, this.options.baseUrl)) return failure(3, "The media download redirected away from Meta: the token is not sent there", 502);
        response = await this.fetchImpl(target, { headers: { authorization: `Bearer ${this.options.accessToken}` }, redirect: "manual", signal });
      }
      if (response.ok && response.body) return { ok: true, value: response };
      await response.body?.cancel();
      return failure(1, `The media download answered ${response.status}`, response.status, response.status >= 500);
    } catch (error) {
      return failure(2, `Could not download the media: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
  }

  createTemplate(wabaId: string, template: { name: string; language: string; category: string; parameter_format?: string; components: unknown[] }) {
    return this.request("POST", `${wabaId}/message_templates`, z.object({ id: z.string(), status: z.string(), category: z.string() }), template);
  }

  private async request<T>(
    method: "GET" | "POST" | "DELETE",
    pathAndQuery: string,
    schema: z.ZodType<T>,
    body?: unknown,
    { authenticate = true }: { authenticate?: boolean } = {},
  ): Promise<GraphResult<T>> {
    const url = `${this.options.baseUrl.replace(/\/$/, "")}/${this.options.version}/${pathAndQuery}`;
    const headers: Record<string, string> = {};
    if (authenticate) {
      if (!this.options.accessToken) return failure(0, "No access token for this WhatsApp account", 401);
      headers.authorization = `Bearer ${this.options.accessToken}`;
    }
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      // A connection never made means nothing was sent; any other network failure
      // or timeout may have come after Meta received the request.
      const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
      const neverSent = typeof cause === "string" && NOT_SENT_CODES.has(cause);
      // The cause's code (ECONNRESET, UND_ERR_SOCKET…) says more than fetch's own "fetch failed".
      const detail = typeof cause === "string" ? ` (${cause})` : "";
      return failure(2, `Could not reach the WhatsApp API: ${error instanceof Error ? error.message : String(error)}${detail}`, 0, !neverSent);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      return failure(2, `The WhatsApp API's answer (${response.status}) was cut off`, response.status, true);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return failure(response.ok ? 135000 : 1, `The WhatsApp API answered ${response.status} with a non-JSON body`, response.status, response.ok || response.status >= 500);
    }
    if (!response.ok) {
      const parsed = errorEnvelope.safeParse(json);
      if (!parsed.success) return failure(1, `The WhatsApp API answered ${response.status}`, response.status, response.status >= 500);
      const { code, message, error_data, fbtrace_id } = parsed.data.error;
      return { ok: false, error: { code, message, details: error_data?.details, httpStatus: response.status, fbtraceId: fbtrace_id, retryable: isRetryableError(code) } };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return failure(135000, `Unexpected response from the WhatsApp API: ${parsed.error.issues[0]?.message ?? "invalid shape"}`, response.status, true);
    }
    return { ok: true, value: parsed.data };
  }
}

const MEDIA_DOWNLOAD_MS = 5 * 60_000;
const MAX_MEDIA_REDIRECTS = 3;

/** Hosts Meta serves media from (lookaside.fbsbx.com today). */
const META_MEDIA_HOSTS = /(^|\.)(fbsbx\.com|facebook\.com|fbcdn\.net|whatsapp\.net)$/;

/**
 * Only Meta's own media hosts over HTTPS, or the Graph API's own origin (the
 * simulator's in the sandbox), get the business token with a media download.
 */
function isMediaUrl(raw: string, graphBaseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.origin === new URL(graphBaseUrl).origin) return true;
  return url.protocol === "https:" && META_MEDIA_HOSTS.test(url.hostname);
}

/** Network errors that happen before a request leaves: nothing reached Meta. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function failure(code: number, message: string, httpStatus: number, outcomeUnknown = false): { ok: false; error: GraphErrorInfo } {
  return { ok: false, error: { code, message, httpStatus, retryable: isRetryableError(code), ...(outcomeUnknown ? { outcomeUnknown } : {}) } };
}
