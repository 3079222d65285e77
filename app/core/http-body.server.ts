// Reading untrusted request bodies: the size is capped before anything is
// read (Content-Length) and while reading (a chunked body has none), the body
// is read once into one buffer, and JSON is parsed only after a cheap scan has
// bounded its nesting, so a hostile body costs neither memory nor a stack.

/** Meta's webhooks are up to 3 MB and Shopify's far smaller; anything larger is not a webhook. */
export const WEBHOOK_MAX_BYTES = 4 * 1024 * 1024;
/** Real payloads nest a dozen levels; JSON.stringify and validators recurse, so deep ones are refused. */
export const JSON_MAX_DEPTH = 64;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; response: Response };

function tooLarge(maxBytes: number): Response {
  // Connection: close, so the server drops the rest of the upload instead of reading it.
  return new Response(`Request body larger than ${maxBytes} bytes`, { status: 413, headers: { "content-type": "text/plain", connection: "close" } });
}

export async function readLimitedBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, response: tooLarge(maxBytes) };
  }
  if (!request.body) return { ok: true, body: Buffer.alloc(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, response: tooLarge(maxBytes) };
    }
    chunks.push(value);
  }
  return { ok: true, body: Buffer.concat(chunks, size) };
}

/** The deepest nesting of arrays and objects in a JSON text, ignoring brackets inside strings. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) deepest = Math.max(deepest, ++depth);
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return deepest;
}

/** Parses a JSON body, or says in words why it is not one we accept. */
export function parseJsonBody(text: string, maxDepth = JSON_MAX_DEPTH): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (jsonDepth(text) > maxDepth) return { ok: false, reason: `body nests deeper than ${maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
}
