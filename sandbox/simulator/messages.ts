// POST /{phone-number-id}/messages as Meta answers it: forced failures, the
// registration and throughput checks, the 24 h customer service window, the
// template rules and pricing, then the status webhooks that follow.
import { z } from "zod";

import { countryOf, GraphApiError, type GraphRoute, type Reply, type Request, requirePhone, type SimContext, wamid } from "./graph";
import { findPhone, type SimMessage, type SimWaba, waUser } from "./state";
import { checkParameters, quickReplies, type SentComponent, urlLinks } from "./templates";

const WINDOW_MS = 24 * 60 * 60 * 1000;

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
type SendInput = z.infer<typeof sendSchema>;
type Failure = { code: number; title: string };

/** US numbers (+1 with a US area code) get no marketing since 2025-04-01. */
function isUsNumber(digits: string): boolean {
  return countryOf(digits) === "US";
}

function emitStatuses(ctx: SimContext, message: SimMessage, wabaId: string, failure?: Failure) {
  const { settings, webhooks } = ctx;
  const phone = findPhone(ctx.world, message.phoneNumberId)!.phone;
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

function withinRate(ctx: SimContext, phoneNumberId: string): boolean {
  const now = Date.now();
  const recent = (ctx.world.recentSends.get(phoneNumberId) ?? []).filter((t) => now - t < 1000);
  ctx.world.recentSends.set(phoneNumberId, recent);
  if (recent.length >= ctx.settings.ratePerSecond) return false;
  recent.push(now);
  return true;
}

/** Fills in a template send (its template, pricing); answers the delivery failure Meta reports by webhook, if any. */
function applyTemplate(waba: SimWaba, input: SendInput, message: SimMessage, windowOpen: boolean): Failure | undefined {
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
  const sentComponents = input.template.components as SentComponent[];
  const parameters = checkParameters(template, sentComponents);
  const category = template.category.toLowerCase();
  const free = template.category === "UTILITY" && windowOpen;
  message.template = { name: template.name, language: template.language, category, parameters, buttons: quickReplies(template, sentComponents), links: urlLinks(template, sentComponents) };
  message.pricing = { category, type: free ? "free_customer_service" : "regular", billable: !free };
  if (template.category === "MARKETING" && isUsNumber(message.to)) {
    return { code: 131049, title: "This message was not delivered to maintain healthy ecosystem engagement." };
  }
  return undefined;
}

/** Fills in a free-form text send; outside the window it is refused at once or failed by webhook, as settings say. */
function applyText(ctx: SimContext, input: SendInput, message: SimMessage, windowOpen: boolean): Failure | undefined {
  if (!input.text) throw new GraphApiError(100, "(#100) Invalid parameter", "text is required for type text");
  let failure: Failure | undefined;
  if (!windowOpen) {
    const title = "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";
    if (ctx.settings.reengagementError === "sync") throw new GraphApiError(131047, "(#131047) Re-engagement message", title);
    failure = { code: 131047, title };
  }
  message.text = input.text.body;
  return failure;
}

function sendMessage(ctx: SimContext, req: Request, phoneNumberId: string): Reply {
  const { world } = ctx;
  const { waba, phone } = requirePhone(world, req, phoneNumberId);
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
  if (!withinRate(ctx, phoneNumberId)) {
    world.rateLimited++;
    throw new GraphApiError(130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached.");
  }
  const to = input.to.replace(/\D/g, "");
  if (to.length < 8 || to.length > 15) throw new GraphApiError(131009, "(#131009) Parameter value is not valid", "to: not a valid phone number");
  const windowOpen = ctx.clock.now() - (world.windows.get(`${phoneNumberId}:${waUser(to)}`) ?? 0) < WINDOW_MS;
  const message: SimMessage = {
    wamid: wamid(),
    phoneNumberId,
    to,
    type: input.type,
    bizOpaqueCallbackData: input.biz_opaque_callback_data,
    pricing: { category: "service", type: "free_customer_service", billable: false },
    country: countryOf(to),
    acceptedAt: ctx.clock.now(),
    statuses: [],
  };
  const refused = input.type === "template" ? applyTemplate(waba, input, message, windowOpen) : applyText(ctx, input, message, windowOpen);
  const failure = forced?.async ? { code: forced.code, title: "Simulated failure requested through /_sim/fail-next" } : refused;
  world.messages.push(message);
  emitStatuses(ctx, message, waba.id, failure);
  return {
    dropConnection: forced?.lostResponse,
    body: {
      messaging_product: "whatsapp",
      contacts: [{ input: input.to, wa_id: to }],
      messages: [{ id: message.wamid, message_status: "accepted" }],
    },
  };
}

export const messageRoutes: GraphRoute[] = [{ method: "POST", pattern: /^(\d+)\/messages$/, handler: (ctx, req, m) => sendMessage(ctx, req, m[1]!) }];
