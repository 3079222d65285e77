// The simulator's control API under /_sim/: tests and people play the
// customer (inbound messages, button taps), the merchant's phone (echoes),
// Meta's side (forced failures, template reviews, raw webhooks, settings), and
// read what the simulator saw (messages, webhook deliveries, state).
import { randomBytes } from "node:crypto";

import { z } from "zod";

import { phoneJson } from "./accounts";
import { type ControlRoutes, type Reply, wamid } from "./graph";
import { mediaUploadSchema } from "./media";
import { facebookSdkScript, SIGNUP_ORDERS, signupDialogPage } from "./signup-pages";
import { addBusiness, findPhone, SEED, waUser } from "./state";
import { setTemplateStatus } from "./templates";

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
const templateStatusSchema = z.object({ name: z.string(), language: z.string().optional(), status: z.string(), reason: z.string().default("NONE"), webhook: z.boolean().default(true) });
/** What Meta changes about a number on its side. Quality colours come with no webhook (phone_number_quality_update no longer carries them): apps read the number. */
const phoneNumberSchema = z.object({
  phoneNumberId: z.string().default(SEED.cloudPhoneNumberId),
  qualityRating: z.enum(["GREEN", "YELLOW", "RED", "NA", "UNKNOWN"]).optional(),
  verifiedName: z.string().min(1).optional(),
});
const businessSchema = z.object({ name: z.string().min(1).default("Another Store"), coexistence: z.boolean().default(false) });

const invalid = (error: z.ZodError): Reply => ({ status: 400, body: { error: error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } });

export const controlRoutes: ControlRoutes = {
  "GET messages": ({ world }) => ({
    body: world.messages.map((m) => ({
      wamid: m.wamid,
      phoneNumberId: m.phoneNumberId,
      to: m.to,
      type: m.type,
      template: m.template
        ? {
            name: m.template.name,
            language: m.template.language,
            category: m.template.category,
            parameters: m.template.parameters,
            buttons: m.template.buttons.map((b) => b.text),
            links: m.template.links,
          }
        : undefined,
      text: m.text,
      pricing: m.pricing,
      country: m.country,
      time: new Date(m.acceptedAt).toISOString(),
      statuses: m.statuses.map((s) => s.status),
    })),
  }),
  "DELETE messages": ({ world }) => {
    world.messages.length = 0;
    world.windows.clear();
    world.failNext.length = 0;
    world.recentSends.clear();
    world.rateLimited = 0;
    return { body: { ok: true } };
  },
  "POST inbound": ({ world, clock, webhooks }, req) => {
    const parsed = inboundSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    const { from, text, name, phoneNumberId, contextWamid, userId, button } = parsed.data;
    const found = findPhone(world, phoneNumberId);
    if (!found) return { status: 404, body: { error: `unknown phoneNumberId ${phoneNumberId}` } };
    const tapped = button ? world.messages.find((m) => m.wamid === contextWamid)?.template?.buttons[button.index] : undefined;
    if (button && !tapped) return { status: 400, body: { error: `message ${contextWamid} has no quick reply #${button.index}` } };
    const digits = from.replace(/\D/g, "");
    world.windows.set(`${phoneNumberId}:${waUser(digits)}`, clock.now());
    // Meta counts a number's received messages against its throughput, with its sends.
    world.recentSends.set(phoneNumberId, [...(world.recentSends.get(phoneNumberId) ?? []), Date.now()]);
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
  "POST echo": ({ world, clock, webhooks }, req) => {
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
  "POST fail-next": ({ world }, req) => {
    const parsed = failNextSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    const { code, phoneNumberId, path, lostResponse, async } = parsed.data;
    for (let i = 0; i < parsed.data.count; i++) world.failNext.push({ code, phoneNumberId, path, lostResponse, async });
    return { body: { queued: world.failNext.length } };
  },
  "POST media": ({ world }, req) => {
    const parsed = mediaUploadSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    const item = world.media.add(parsed.data.wabaId ?? SEED.wabaId, parsed.data.mimeType, Buffer.from(parsed.data.base64, "base64"));
    return { body: { id: item.id } };
  },
  "GET settings": ({ settings }) => ({ body: settings }),
  "PATCH settings": ({ settings }, req) => {
    const parsed = settingsSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    Object.assign(settings, parsed.data);
    return { body: settings };
  },
  "GET webhooks": ({ world }) => ({ body: world.webhookDeliveries }),
  "POST webhook": ({ webhooks }, req) => {
    const parsed = rawWebhookSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    webhooks.send(parsed.data.wabaId, parsed.data.field, parsed.data.value, 0, parsed.data.time);
    return { body: { queued: true } };
  },
  "GET idle": async ({ webhooks }) => {
    await webhooks.idle();
    return { body: { idle: true } };
  },
  "POST businesses": ({ world }, req) => {
    const parsed = businessSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    return { body: addBusiness(world, parsed.data) };
  },
  "POST signup-codes": ({ world }, req) => {
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
  "GET fb-sdk.js": (_ctx, req) => ({ contentType: "text/javascript; charset=utf-8", body: facebookSdkScript(req.origin) }),
  "GET es-dialog": ({ settings }, req) => ({
    contentType: "text/html; charset=utf-8",
    body: signupDialogPage({
      mode: "popup",
      coexistence: req.query.get("feature") === "whatsapp_business_app_onboarding",
      order: SIGNUP_ORDERS.find((order) => order === req.query.get("order")) ?? settings.signupOrder,
    }),
  }),
  "POST template-status": (ctx, req) => {
    const parsed = templateStatusSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    const waba = ctx.world.wabas[0]!;
    const targets = waba.templates.filter((t) => t.name === parsed.data.name && (!parsed.data.language || t.language === parsed.data.language));
    if (targets.length === 0) return { status: 404, body: { error: `no template ${parsed.data.name}` } };
    for (const t of targets) setTemplateStatus(ctx, waba.id, t, parsed.data.status, parsed.data.reason, parsed.data.webhook);
    return { body: { updated: targets.length } };
  },
  "POST phone-number": ({ world }, req) => {
    const parsed = phoneNumberSchema.safeParse(req.body);
    if (!parsed.success) return invalid(parsed.error);
    const found = findPhone(world, parsed.data.phoneNumberId);
    if (!found) return { status: 404, body: { error: `no phone number ${parsed.data.phoneNumberId}` } };
    if (parsed.data.qualityRating) found.phone.qualityRating = parsed.data.qualityRating;
    if (parsed.data.verifiedName) found.phone.verifiedName = parsed.data.verifiedName;
    return { body: phoneJson(found.phone) };
  },
  "GET state": ({ world }) => ({
    body: {
      rateLimited: world.rateLimited,
      wabas: world.wabas.map((w) => ({
        id: w.id,
        subscribed: w.subscribed,
        currency: w.currency,
        phoneNumbers: w.phoneNumbers.map((p) => ({ ...phoneJson(p), registered: p.registered, syncRequests: p.syncRequests })),
        templates: w.templates.map((t) => ({ name: t.name, language: t.language, status: t.status, category: t.category })),
      })),
    },
  }),
};
