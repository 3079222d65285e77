// Quick replies: a shop's saved answers, in en, es or pt-BR, with variables
// ({customer_name}, {order_number}, {tracking_link}) filled in for the
// conversation they are offered in. Every read and write is scoped by shop:
// another shop's id is not found.
import { z } from "zod";

import type { Db } from "../core/db.server";
import { LOCALES, type Locale, type MessageKey, resolveLocale, type Translate } from "../i18n";

export const QUICK_REPLY_VARIABLES = ["customer_name", "order_number", "tracking_link"] as const;
type Variable = (typeof QUICK_REPLY_VARIABLES)[number];

const VARIABLE = /\{([^{}\s]*)\}/g;

export const quickReplySchema = z.object({
  id: z
    .string()
    .trim()
    .transform((id) => id || null),
  title: z.string().trim().min(1).max(60),
  body: z
    .string()
    .trim()
    .min(1)
    .max(1024)
    .superRefine((body, ctx) => {
      const unknown = [...body.matchAll(VARIABLE)].map((m) => m[1]!).find((name) => !(QUICK_REPLY_VARIABLES as readonly string[]).includes(name));
      if (unknown !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "unknownVariable", params: { name: unknown } });
    }),
  locale: z.enum(LOCALES),
});

export type QuickReplyField = "title" | "body" | "locale" | "quickReply";
export type QuickReplyResult = { ok: true } | { ok: false; notFound?: boolean; errors: Partial<Record<QuickReplyField, string>> };

export async function listQuickReplies(db: Db, shopId: string) {
  return db.quickReply.findMany({ where: { shopId }, orderBy: [{ locale: "asc" }, { title: "asc" }], select: { id: true, title: true, body: true, locale: true } });
}

/** An id from a form or the page's address (cuid). */
const idSchema = z.string().trim().min(1).max(64);

/** One of the shop's quick replies; null for an id of another shop, or none. */
export async function findQuickReply(db: Db, shopId: string, rawId: unknown) {
  const id = idSchema.safeParse(rawId);
  return id.success ? db.quickReply.findFirst({ where: { id: id.data, shopId }, select: { id: true, title: true, body: true, locale: true } }) : null;
}

function notFound(t: Translate): QuickReplyResult {
  return { ok: false, notFound: true, errors: { quickReply: t("quickReplies.error.notFound") } };
}

/** Adds a quick reply, or with an id edits the shop's own; an error on each bad field, and nothing saved. */
export async function saveQuickReply(db: Db, shopId: string, form: FormData, t: Translate): Promise<QuickReplyResult> {
  const parsed = quickReplySchema.safeParse({ id: form.get("id") ?? "", title: form.get("title") ?? "", body: form.get("body") ?? "", locale: form.get("locale") ?? "" });
  if (!parsed.success) {
    const errors: Partial<Record<QuickReplyField, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as QuickReplyField;
      if (errors[field]) continue;
      errors[field] =
        issue.code === z.ZodIssueCode.custom && issue.message === "unknownVariable"
          ? t("quickReplies.error.unknownVariable", { name: String(issue.params?.name ?? "") })
          : t(`quickReplies.error.${field}` as MessageKey);
    }
    return { ok: false, errors };
  }
  const { id, ...data } = parsed.data;
  if (!id) {
    await db.quickReply.create({ data: { shopId, ...data } });
    return { ok: true };
  }
  const { count } = await db.quickReply.updateMany({ where: { id, shopId }, data });
  return count ? { ok: true } : notFound(t);
}

export async function deleteQuickReply(db: Db, shopId: string, rawId: unknown, t: Translate): Promise<QuickReplyResult> {
  const id = idSchema.safeParse(rawId);
  const { count } = id.success ? await db.quickReply.deleteMany({ where: { id: id.data, shopId } }) : { count: 0 };
  return count ? { ok: true } : notFound(t);
}

/** The body with its variables filled in; a variable with no value becomes empty. */
export function fillQuickReply(body: string, values: Partial<Record<Variable, string | null>>): string {
  return body.replace(VARIABLE, (_, name: string) => values[name as Variable] ?? "");
}

export interface OfferedQuickReply {
  id: string;
  title: string;
  locale: Locale;
  text: string;
}

/**
 * The shop's quick replies filled in for one conversation: the customer's
 * name, the order's number (the thread's order, or the customer's latest) and
 * its tracking link. The customer's language comes first (the order's, else
 * the contact's, else the shop's).
 */
export async function quickRepliesFor(db: Db, shop: { id: string; locale: string }, subject: { contactId: string } | { shopifyOrderId: string }): Promise<OfferedQuickReply[]> {
  const replies = await listQuickReplies(db, shop.id);
  if (!replies.length) return [];
  const orderFields = { name: true, customerName: true, locale: true, trackingUrl: true } as const;
  let customerName: string | null = null;
  let order: { name: string; customerName: string | null; locale: string | null; trackingUrl: string | null } | null = null;
  let customerLocale: string | null = null;
  if ("shopifyOrderId" in subject) {
    const found = await db.order.findUnique({
      where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: subject.shopifyOrderId } },
      select: { ...orderFields, contact: { select: { name: true, locale: true } } },
    });
    order = found;
    customerName = found?.customerName ?? found?.contact?.name ?? null;
    customerLocale = found?.locale ?? found?.contact?.locale ?? null;
  } else {
    const contact = await db.contact.findFirst({
      where: { id: subject.contactId, shopId: shop.id },
      select: { name: true, locale: true, orders: { select: orderFields, orderBy: { createdAt: "desc" }, take: 1 } },
    });
    order = contact?.orders[0] ?? null;
    customerName = contact?.name ?? order?.customerName ?? null;
    customerLocale = contact?.locale ?? order?.locale ?? null;
  }
  const first = resolveLocale(customerLocale ?? shop.locale);
  const values = { customer_name: customerName, order_number: order?.name ?? null, tracking_link: order?.trackingUrl ?? null };
  return replies
    .map((r) => ({ id: r.id, title: r.title, locale: resolveLocale(r.locale), text: fillQuickReply(r.body, values) }))
    .sort((a, b) => Number(b.locale === first) - Number(a.locale === first));
}
