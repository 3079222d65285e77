import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GRAPH_IDLE_MS } from "../app/whatsapp/graph-http.server";
import { WhatsAppClient } from "../app/whatsapp/client.server";

// A server closes a connection left idle past its keep-alive (Node's 5 s here);
// a send written on it as it closes fails with an unknown outcome. The client
// closes its idle connections well before that, and keeps busy ones.
describe("connections to the Graph API", () => {
  let server: Server;
  let connections = 0;
  let client: WhatsAppClient;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: "106540352242922", display_phone_number: "+1 555-010-0001" }));
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client = new WhatsAppClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, version: "v23.0", accessToken: "token" });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("reuses a connection in use and closes one left idle, long before the server's keep-alive ends", async () => {
    const read = async () => expect((await client.getPhoneNumber("106540352242922")).ok).toBe(true);
    await read();
    await read();
    const open = connections;
    for (let i = 0; i < 5; i++) await read();
    expect(connections).toBe(open);
    // Idle past the client's limit, still far inside the server's 5 s: the next request opens a new connection.
    await new Promise((resolve) => setTimeout(resolve, GRAPH_IDLE_MS + 500));
    await read();
    expect(connections).toBe(open + 1);
  });

  it("gives Meta its time to answer from when the request is written, and an answer that does not come is an unknown outcome", async () => {
    const answerMs = 400;
    let answered = 0;
    const slow = createServer((request, response) => {
      // The second path never gets its answer in time.
      const delay = request.url?.includes("106540352242923") ? answerMs * 3 : answerMs / 2;
      setTimeout(() => {
        answered++;
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ id: "106540352242922", display_phone_number: "+1 555-010-0001" }));
      }, delay);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const limited = new WhatsAppClient({
        baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
        version: "v23.0",
        accessToken: "token",
        timeouts: { connectMs: 5_000, answerMs },
      }).withToken("token");
      // The worker is held up (a busy machine) right after asking, longer than Meta's time to answer: the request is
      // written after that, and Meta's answer within its time counts.
      const asked = limited.getPhoneNumber("106540352242922");
      const until = Date.now() + answerMs * 2;
      while (Date.now() < until);
      expect(await asked).toMatchObject({ ok: true });
      const late = await limited.getPhoneNumber("106540352242923");
      expect(late).toMatchObject({ ok: false, error: { outcomeUnknown: true, retryable: true } });
      expect(late.ok ? "" : late.error.message).toContain("UND_ERR_HEADERS_TIMEOUT");
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
    expect(answered).toBeGreaterThanOrEqual(1);
  });
});
