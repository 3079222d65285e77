// A received message's media (image, video, audio, document, sticker), for the
// thread page: Meta keeps it, and hands a short-lived URL for its id (GET
// /{media-id}) that answers only with the business token. The app fetches it
// server-side with the shop's token and streams the bytes on, storing none;
// the browser never sees the token or Meta's URL. Only a message of the
// caller's shop is looked up, so another shop's id is simply not found.
import type { AppConfig } from "../core/config.server";
import type { Db } from "../core/db.server";
import { log } from "../core/log.server";
import { accountClient } from "./account.server";
import type { WhatsAppClient } from "./client.server";
import { storedContent } from "./message-content";

export type MediaDownload = { ok: true; body: ReadableStream<Uint8Array>; contentType: string; inline: boolean; filename: string } | { ok: false; status: 404 | 502 };

const MIME_TYPE = /^[\w.+-]+\/[\w.+-]+(?:\s*;\s*[\w.+-]+=[\w.+"-]+)*$/;

/** Shown in the page: pictures, sound and film; anything else (documents, SVG that may carry script) is only downloaded. */
function isInline(contentType: string): boolean {
  return /^(image|video|audio)\//.test(contentType) && !contentType.startsWith("image/svg");
}

export async function messageMedia(deps: { db: Db; config: AppConfig; graph: WhatsAppClient }, shopId: string, messageId: string): Promise<MediaDownload> {
  const message = await deps.db.message.findFirst({ where: { id: messageId, shopId, deletedAt: null }, select: { content: true } });
  const content = storedContent(message?.content);
  if (content?.kind !== "media" || !content.mediaId) return { ok: false, status: 404 };
  const account = await accountClient(deps, shopId);
  if (!account) return { ok: false, status: 502 };
  const info = await account.client.getMedia(content.mediaId);
  if (!info.ok) {
    log.warn({ code: info.error.code, httpStatus: info.error.httpStatus }, "WhatsApp media could not be looked up");
    return { ok: false, status: info.error.httpStatus === 404 || info.error.code === 100 ? 404 : 502 };
  }
  const download = await account.client.downloadMedia(info.value.url);
  if (!download.ok) {
    log.warn({ code: download.error.code, httpStatus: download.error.httpStatus }, "WhatsApp media could not be downloaded");
    return { ok: false, status: 502 };
  }
  const declared = info.value.mime_type ?? content.mimeType ?? download.value.headers.get("content-type") ?? "";
  const contentType = MIME_TYPE.test(declared) ? declared : "application/octet-stream";
  return {
    ok: true,
    body: download.value.body!,
    contentType,
    inline: isInline(contentType),
    filename: content.filename ?? `whatsapp-${content.media ?? "media"}`,
  };
}
