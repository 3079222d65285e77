// Which language a staff member sees. The admin names it in the `locale` query
// parameter of document loads only: the app's own requests in the frame (Remix
// navigations, forms, fetchers) carry the session token and no query. A cookie
// would not carry it either, since browsers block or partition third-party
// cookies in the admin's iframe. Shopify tells each staff member's language
// with their online session (associated_user.locale), so that session row keeps
// the language the admin last named, and every request's token finds it.
import type { Session } from "@shopify/shopify-api";
import { z } from "zod";

import type { Db } from "../core/db.server";
import { type Locale, resolveLocale } from ".";

const tagSchema = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/);

function askedLocale(request: Request): string | null {
  const asked = tagSchema.safeParse(new URL(request.url).searchParams.get("locale"));
  return asked.success ? asked.data : null;
}

/** The request's `locale` when it names one, else the staff member's remembered language, else the shop's, else en. */
export function localeFor(request: Request, session: Session, shop: { locale: string | null }): Locale {
  return resolveLocale(askedLocale(request) ?? session.onlineAccessInfo?.associated_user?.locale ?? shop.locale);
}

/** Keeps the language the admin named with this staff member's session, for the requests that come without it. */
export async function rememberLocale(db: Db, request: Request, session: Session): Promise<void> {
  const asked = askedLocale(request);
  if (!asked || !session.isOnline) return;
  await db.session.updateMany({ where: { id: session.id, OR: [{ locale: null }, { locale: { not: asked } }] }, data: { locale: asked } });
}
