// Shopify session storage on Prisma. Unlike the stock Prisma adapter, access and
// refresh tokens are encrypted (AES-256-GCM) before they reach the database.
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";

import { decryptSecret, encryptSecret } from "../core/crypto.server";
import type { Db } from "../core/db.server";
import type { Session as SessionRow } from "../generated/prisma/client";

export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly db: () => Db,
    private readonly key: Buffer,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    const user = session.onlineAccessInfo?.associated_user;
    const data = {
      shop: session.shop,
      state: session.state,
      isOnline: session.isOnline,
      scope: session.scope ?? null,
      expires: session.expires ?? null,
      accessTokenCiphertext: encryptSecret(session.accessToken ?? "", this.key),
      refreshTokenCiphertext: session.refreshToken ? encryptSecret(session.refreshToken, this.key) : null,
      refreshTokenExpires: session.refreshTokenExpires ?? null,
      userId: user?.id === undefined ? null : BigInt(user.id),
      firstName: user?.first_name ?? null,
      lastName: user?.last_name ?? null,
      email: user?.email ?? null,
      accountOwner: user?.account_owner ?? false,
      locale: user?.locale ?? null,
      collaborator: user?.collaborator ?? false,
      emailVerified: user?.email_verified ?? false,
    };
    // A stored session keeps its language: the one the admin last named for this staff member
    // (i18n/locale.server.ts rememberLocale). A token exchange running beside it (a page's loaders
    // run in parallel) would otherwise put back Shopify's account language over the admin's choice.
    const { locale: _shopifyLocale, ...kept } = data;
    await this.db().session.upsert({ where: { id: session.id }, create: { id: session.id, ...data }, update: kept });
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await this.db().session.findUnique({ where: { id } });
    return row ? this.toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await this.db().session.deleteMany({ where: { id } });
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await this.db().session.deleteMany({ where: { id: { in: ids } } });
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    // Sessions that never expire (null) last, on PostgreSQL as on SQLite: PostgreSQL would sort them first.
    const rows = await this.db().session.findMany({ where: { shop }, take: 25, orderBy: { expires: { sort: "desc", nulls: "last" } } });
    return rows.map((row) => this.toSession(row));
  }

  private toSession(row: SessionRow): Session {
    const session = new Session({
      id: row.id,
      shop: row.shop,
      state: row.state,
      isOnline: row.isOnline,
      scope: row.scope ?? undefined,
      expires: row.expires ?? undefined,
      accessToken: decryptSecret(row.accessTokenCiphertext, this.key),
      refreshToken: row.refreshTokenCiphertext ? decryptSecret(row.refreshTokenCiphertext, this.key) : undefined,
      refreshTokenExpires: row.refreshTokenExpires ?? undefined,
    });
    if (row.userId !== null) {
      session.onlineAccessInfo = {
        associated_user: {
          id: Number(row.userId),
          first_name: row.firstName ?? undefined,
          last_name: row.lastName ?? undefined,
          email: row.email ?? undefined,
          account_owner: row.accountOwner,
          locale: row.locale ?? undefined,
          collaborator: row.collaborator ?? undefined,
          email_verified: row.emailVerified ?? undefined,
        },
      } as Session["onlineAccessInfo"];
    }
    return session;
  }
}
