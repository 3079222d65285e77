// The business token goes with a media download only to Meta's media hosts or
// the Graph API's own origin: a media URL or a redirect naming any other host
// (a tampered or misrouted answer) is refused before a request carries the
// token there.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { WhatsAppClient } from "../app/whatsapp/client.server";

type Answer = { status: number; body: string; type?: string; location?: string };

function listen(handler: (url: string, headers: IncomingHttpHeaders) => Answer): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const answer = handler(request.url ?? "", request.headers);
    response.writeHead(answer.status, { "content-type": answer.type ?? "application/json", ...(answer.location ? { location: answer.location } : {}) }).end(answer.body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe("media downloads", () => {
  const elsewhere: IncomingHttpHeaders[] = [];
  let graph: { server: Server; origin: string };
  let other: { server: Server; origin: string };

  beforeAll(async () => {
    other = await listen((_url, headers) => {
      elsewhere.push(headers);
      return { status: 200, body: "bytes", type: "image/jpeg" };
    });
    graph = await listen((url) => {
      const id = url.split("/").pop()!;
      if (url === "/media-bytes/moved-home") return { status: 302, body: "", location: "/media-bytes/final" };
      if (url === "/media-bytes/moved-away") return { status: 302, body: "", location: `${other.origin}/steal` };
      if (url.startsWith("/media-bytes")) return { status: 200, body: "jpeg-bytes", type: "image/jpeg" };
      const where = id === "foreign" ? `${other.origin}/steal` : `${graph.origin}/media-bytes/${id}`;
      return { status: 200, body: JSON.stringify({ messaging_product: "whatsapp", url: where, mime_type: "image/jpeg", sha256: "x", file_size: 10, id }) };
    });
  });
  afterAll(async () => {
    for (const s of [graph?.server, other?.server]) await new Promise((resolve) => s?.close(resolve));
  });

  it("downloads from the Graph origin with the token, and refuses another host without calling it", async () => {
    const client = new WhatsAppClient({ baseUrl: graph.origin, version: "v24.0", accessToken: "EAAG-secret-token" });
    const own = await client.getMedia("media-1");
    expect(own.ok).toBe(true);
    const bytes = await client.downloadMedia(own.ok ? own.value.url : "");
    expect(bytes.ok && (await bytes.value.text())).toBe("jpeg-bytes");

    const foreign = await client.getMedia("foreign");
    const refused = await client.downloadMedia(foreign.ok ? foreign.value.url : "");
    expect(refused).toMatchObject({ ok: false });
    // A redirect is followed only while it stays with Meta (here the Graph origin).
    const home = await client.downloadMedia(`${graph.origin}/media-bytes/moved-home`);
    expect(home.ok && (await home.value.text())).toBe("jpeg-bytes");
    expect(await client.downloadMedia(`${graph.origin}/media-bytes/moved-away`)).toMatchObject({ ok: false });
    expect(elsewhere).toEqual([]);
  });
});
