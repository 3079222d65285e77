// Reading untrusted request bodies: the size is capped before anything is
// read (Content-Length) and while reading (a chunked body has none), the body
// is read once into one buffer, and JSON is parsed only after a cheap scan has
// bounded its nesting, so a hostile body costs neither memory nor a stack.

/** Meta's webhooks are up to 3 MB and Shopify's far smaller; anything larger is not a webhook. */
export const WEBHOOK_MAX_BYTES = 4 * 1024 * 1024;
/** The app's own pages and APIs: a rate card upload (two CSV files of 2 MB at most) and the form around it. */
export const APP_BODY_MAX_BYTES = 5 * 1024 * 1024;
/** Real payloads nest a dozen levels; JSON.stringify and validators recurse, so deep ones are refused. */
export const JSON_MAX_DEPTH = 64;

export type BodyResult = { ok: true; body: Buffer } | { ok: false; response: Response };

/** A Content-Length that is not a number, or larger than the cap: the body is refused unread. */
export function declaredTooLarge(contentLength: string | null | undefined, maxBytes: number): boolean {
  return contentLength !== null && contentLength !== undefined && (!/^\d+$/.test(contentLength) || Number(contentLength) > maxBytes);
}

/**
 * A body's chunks in one buffer, or null as soon as they pass the cap: the
 * rest is never read (leaving the loop cancels a web stream; server.ts keeps
 * Node's request open so its 413 is still sent, then closes the connection).
 */
export async function collectBounded(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer | null> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/** What a 413 says. */
export function tooLargeText(maxBytes: number): string {
  return `Request body larger than ${maxBytes} bytes`;
}

/** A 413's headers: Connection: close, so the server drops the rest of the upload instead of reading it. */
export const TOO_LARGE_HEADERS = { "content-type": "text/plain", connection: "close" } as const;

function tooLarge(maxBytes: number): Response {
  return new Response(tooLargeText(maxBytes), { status: 413, headers: TOO_LARGE_HEADERS });
}

export async function readLimitedBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (declaredTooLarge(request.headers.get("content-length"), maxBytes)) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, response: tooLarge(maxBytes) };
  }
  if (!request.body) return { ok: true, body: Buffer.alloc(0) };
  const body = await collectBounded(request.body, maxBytes);
  return body ? { ok: true, body } : { ok: false, response: tooLarge(maxBytes) };
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
