// What every simulator route shares: the parsed request, the reply, Meta's
// error shape, and the token checks that decide which objects a call reaches.
import { randomBytes } from "node:crypto";

import { parsePhoneNumberFromString } from "libphonenumber-js";

import type { SimClock } from "./clock";
import { findPhone, type SimSettings, type World } from "./state";
import type { WebhookSender } from "./webhooks";

export type Json = Record<string, unknown>;

export interface Request {
  method: string;
  path: string[];
  query: URLSearchParams;
  body: Json;
  token: string | undefined;
  /** The simulator's own origin as the caller reached it. */
  origin: string;
}

export interface Reply {
  status?: number;
  body: unknown;
  /** Close the connection without answering (the request was acted on, the answer is lost). */
  dropConnection?: boolean;
  /** Non-JSON replies (the signup stand-ins) give their content type; body is then a string. */
  contentType?: string;
}

/** One simulator's world and configuration, handed to every route. */
export interface SimContext {
  world: World;
  settings: SimSettings;
  clock: SimClock;
  webhooks: WebhookSender;
  appId: string | undefined;
  appSecret: string;
}

/** A Graph API route: `pattern` matches the path after the version. */
export interface GraphRoute {
  method: string;
  pattern: RegExp;
  handler: (ctx: SimContext, req: Request, match: RegExpExecArray) => Reply;
}

/** `/_sim/` routes keyed "METHOD path". */
export type ControlRoutes = Record<string, (ctx: SimContext, req: Request) => Promise<Reply> | Reply>;

export class GraphApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

/**
 * Meta's answer for an object the token may not reach (code 100, subcode 33):
 * the same whether the object is another business's or does not exist, so a
 * token learns nothing about objects outside its grant.
 */
class UnreachableObjectError extends GraphApiError {
  readonly subcode = 33;
  constructor(method: string, objectId: string) {
    super(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      "",
      400,
    );
  }
}

export function graphError(error: GraphApiError): Reply {
  const unreachable = error instanceof UnreachableObjectError;
  return {
    status: error.httpStatus,
    body: {
      error: {
        message: error.message,
        type: unreachable ? "GraphMethodException" : "OAuthException",
        code: error.code,
        ...(unreachable ? { error_subcode: error.subcode } : {}),
        error_data: { messaging_product: "whatsapp", details: error.details },
        fbtrace_id: randomBytes(9).toString("base64url"),
      },
    },
  };
}

/** The token must reach the WABA that holds the object (`ownerWabaId`, undefined when no such object exists). */
export function authorize(world: World, req: Request, objectId: string, ownerWabaId: string | undefined) {
  const reachable = req.token ? world.tokens.get(req.token) : undefined;
  if (!reachable) throw new GraphApiError(190, "Invalid OAuth access token - Cannot parse access token", "", 401);
  if (!ownerWabaId || reachable !== ownerWabaId) throw new UnreachableObjectError(req.method, objectId);
}

export function requireWaba(world: World, req: Request, wabaId: string) {
  const waba = world.wabas.find((w) => w.id === wabaId);
  authorize(world, req, wabaId, waba?.id);
  return waba!;
}

export function requirePhone(world: World, req: Request, phoneNumberId: string) {
  const found = findPhone(world, phoneNumberId);
  authorize(world, req, phoneNumberId, found?.waba.id);
  return found!;
}

export function wamid(): string {
  return "wamid." + randomBytes(24).toString("base64url");
}

export function countryOf(digits: string): string {
  return parsePhoneNumberFromString(`+${digits}`)?.country ?? "ZZ";
}
