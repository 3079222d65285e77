// Media as Meta's Cloud API serves it: a received image, video, audio,
// document or sticker has a numeric media id; GET /{version}/{media-id} with a
// token that reaches its WABA answers { url, mime_type, sha256, file_size, id },
// and that url, short-lived, answers the bytes only to a bearer token that
// reaches the same WABA. Tests put media here (POST /_sim/media) and then
// deliver the message that names its id.
import { createHash, randomBytes, randomInt } from "node:crypto";

import { z } from "zod";

import type { Reply, Request } from "./graph";
import type { World } from "./state";

/** Meta's media URLs expire after five minutes. */
const URL_TTL_MS = 5 * 60_000;

export interface SimMedia {
  id: string;
  wabaId: string;
  mimeType: string;
  bytes: Buffer;
}

export function createMediaStore() {
  const media = new Map<string, SimMedia>();
  const urls = new Map<string, { mediaId: string; expiresAt: number }>();
  return {
    add(wabaId: string, mimeType: string, bytes: Buffer): SimMedia {
      const item = { id: String(randomInt(300_000_000_000_000, 390_000_000_000_000)), wabaId, mimeType, bytes };
      media.set(item.id, item);
      return item;
    },
    get: (id: string) => media.get(id),
    /** GET /{media-id}: the description Meta gives, with a fresh download URL on the simulator's origin. */
    describe(item: SimMedia, origin: string) {
      const key = randomBytes(18).toString("base64url");
      urls.set(key, { mediaId: item.id, expiresAt: Date.now() + URL_TTL_MS });
      return {
        messaging_product: "whatsapp",
        url: `${origin}/_media/${key}?ext=${Date.now()}`,
        mime_type: item.mimeType,
        sha256: createHash("sha256").update(item.bytes).digest("hex"),
        file_size: item.bytes.length,
        id: item.id,
      };
    },
    /** The media behind a download URL that has not expired, if any. */
    resolve(key: string): SimMedia | undefined {
      const url = urls.get(key);
      if (!url || url.expiresAt < Date.now()) return undefined;
      return media.get(url.mediaId);
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;

export const mediaUploadSchema = z.object({
  wabaId: z.string().optional(),
  mimeType: z.string().min(3),
  /** The file's bytes, base64. */
  base64: z.string(),
});

/** A download URL from GET /{media-id}: the bytes, for a token that reaches the media's WABA. */
export function mediaBytes(world: World, req: Request): Reply {
  const media = world.media.resolve(req.path[1] ?? "");
  if (!req.token || !world.tokens.has(req.token)) return { status: 401, body: { error: "A bearer token is required" } };
  if (!media || world.tokens.get(req.token) !== media.wabaId) return { status: 404, body: { error: "Not found or expired" } };
  return { contentType: media.mimeType, body: media.bytes };
}
