// Who is acting in the admin. authenticate.admin exchanges the admin session
// token for an online access token (useOnlineTokens), whose `associated_user`
// is the staff member behind the request: their Shopify user id and name. What
// the app records of an action (a reply, an opt-out, a thread marked handled)
// names them by id; their name is kept in the shop's staff directory, updated
// each time they act, and copied onto the messages they send.
import type { Session } from "@shopify/shopify-api";
import { z } from "zod";

import type { Db } from "../core/db.server";

export interface Staff {
  /** Shopify's user id (the `sub` of their session tokens). */
  id: string;
  /** First and last name as Shopify has them. */
  name: string;
}

const associatedUserSchema = z.object({
  id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
});

/** The staff member of an online session; anything else is a misconfiguration (offline sessions name nobody). */
export function staffOf(session: Pick<Session, "onlineAccessInfo">): Staff {
  const user = associatedUserSchema.safeParse(session.onlineAccessInfo?.associated_user);
  if (!user.success) throw new Error("The admin session names no staff member: authenticate.admin must use online tokens");
  const { id, first_name, last_name } = user.data;
  return {
    id,
    name:
      [first_name, last_name]
        .map((part) => part?.trim())
        .filter(Boolean)
        .join(" ") || `#${id}`,
  };
}

/** The staff member acting in this request, kept (with their current name) in the shop's directory. */
export async function actingStaff(db: Db, shopId: string, session: Pick<Session, "onlineAccessInfo">): Promise<Staff> {
  const staff = staffOf(session);
  await db.staffMember.upsert({
    where: { shopId_userId: { shopId, userId: staff.id } },
    create: { shopId, userId: staff.id, name: staff.name },
    update: { name: staff.name },
  });
  return staff;
}

/** How an action's recorded actor reads: `staff:<id>` (an opt-out's source) becomes the staff member's name. */
export async function actorName(db: Db, shopId: string, actor: string): Promise<string> {
  const userId = /^staff:(\d+)$/.exec(actor)?.[1];
  if (!userId) return actor;
  const member = await db.staffMember.findUnique({ where: { shopId_userId: { shopId, userId } }, select: { name: true } });
  return member?.name ?? `#${userId}`;
}

/** An opt-out's or consent record's source for an action by this staff member. */
export const staffSource = (staff: Staff) => `staff:${staff.id}`;
