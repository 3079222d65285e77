// Meta's webhook subscription check (GET with hub.mode, hub.verify_token and
// hub.challenge): echo the challenge only when the verify token matches.
import { timingSafeEqual } from "node:crypto";

export function verifySubscription(params: URLSearchParams, verifyToken: string): { status: 200 | 403; body: string } {
  const given = Buffer.from(params.get("hub.verify_token") ?? "");
  const expected = Buffer.from(verifyToken);
  const tokenMatches = given.length === expected.length && timingSafeEqual(given, expected);
  if (params.get("hub.mode") === "subscribe" && tokenMatches) {
    return { status: 200, body: params.get("hub.challenge") ?? "" };
  }
  return { status: 403, body: "Forbidden" };
}
