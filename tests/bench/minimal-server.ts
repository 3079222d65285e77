// The floor for intake measurements: a bare Node server that checks Shopify's
// HMAC over the body and answers 200, nothing else. The benchmark runs it as a
// process of its own beside the app, under the same load in the same run.
import { createServer } from "node:http";

import { isValidShopifyHmac } from "../../app/shopify/signature.server";

const secret = process.env.SHOPIFY_API_SECRET ?? "";
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const ok = isValidShopifyHmac(Buffer.concat(chunks), (req.headers["x-shopify-hmac-sha256"] as string | undefined) ?? null, secret);
    res.writeHead(ok ? 200 : 401).end();
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.send?.({ port: (server.address() as { port: number }).port });
});
