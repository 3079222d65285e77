import type { LoaderFunctionArgs } from "@remix-run/node";

import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { messageMedia } from "../whatsapp/media.server";

/** A filename for content-disposition: an ASCII fallback and the exact name (RFC 6266). */
function disposition(kind: "inline" | "attachment", filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

// /app/media/:messageId — the bytes of a received message's image, video,
// audio, document or sticker, streamed from WhatsApp; 404 for another shop's
// message or one without media. The thread page fetches it with the session token.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop } = await requireShop(request);
  const media = await messageMedia(appDeps(), shop.id, params.messageId ?? "");
  if (!media.ok) return new Response(media.status === 404 ? "Not found" : "The media could not be fetched from WhatsApp", { status: media.status });
  return new Response(media.body, {
    headers: {
      "content-type": media.contentType,
      "content-disposition": disposition(media.inline ? "inline" : "attachment", media.filename),
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
    },
  });
};
