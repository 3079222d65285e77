import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { decryptSecret, encryptSecret } from "../app/core/crypto.server";
import type { Db } from "../app/core/db.server";
import { EncryptedSessionStorage } from "../app/shopify/sessions.server";
import { createShop, createTestDb, rawRow } from "./helpers/db";

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);

describe("secrets at rest", () => {
  let db: Db;
  let url: string;

  beforeAll(async () => {
    ({ db, url } = await createTestDb());
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it("round-trips, uses a fresh IV each time, and rejects a wrong key or tampering", () => {
    const a = encryptSecret("EAAG-business-token", key);
    const b = encryptSecret("EAAG-business-token", key);
    expect(a).not.toBe(b);
    expect(decryptSecret(a, key)).toBe("EAAG-business-token");
    expect(() => decryptSecret(a, otherKey)).toThrow();
    const parts = a.split(":");
    const flipped = Buffer.from(parts[3]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decryptSecret([...parts.slice(0, 3), flipped.toString("base64url")].join(":"), key)).toThrow();
  });

  it("never writes the Shopify access token in plaintext (raw row read with the database driver)", async () => {
    const storage = new EncryptedSessionStorage(() => db, key);
    const token = "shpat_0123456789abcdef_plaintext_marker";
    await storage.storeSession(new Session({ id: "offline_a.myshopify.com", shop: "a.myshopify.com", state: "s", isOnline: false, accessToken: token, scope: "read_orders" }));

    const row = (await rawRow(url, "Session", "id", "offline_a.myshopify.com"))!;
    expect(JSON.stringify(row)).not.toContain(token);
    expect(String(row.accessTokenCiphertext)).toMatch(/^v1:/);

    const loaded = await storage.loadSession("offline_a.myshopify.com");
    expect(loaded?.accessToken).toBe(token);
    expect(loaded?.isActive("read_orders")).toBe(true);
  });

  it("stores the WhatsApp business token only as ciphertext", async () => {
    const shop = await createShop(db, "b.myshopify.com");
    const token = "EAAG_business_token_plaintext_marker";
    await db.whatsAppAccount.create({ data: { shopId: shop.id, wabaId: "1", phoneNumberId: "2", accessTokenCiphertext: encryptSecret(token, key) } });

    const row = (await rawRow(url, "WhatsAppAccount", "shopId", shop.id))!;
    expect(JSON.stringify(row)).not.toContain(token);
    expect(decryptSecret(String(row.accessTokenCiphertext), key)).toBe(token);
  });
});
