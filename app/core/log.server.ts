// The process's structured logger (pino, JSON lines). Logs carry ids, codes and
// counts, never personal data or secrets: fields that could hold them are
// redacted by name, and errors are reduced to their type, code and a scrubbed
// message (Prisma's messages can quote a query's arguments, zod's the values
// it received), so a failing write never prints the customer it was writing.
import { AsyncLocalStorage } from "node:async_hooks";

import pino from "pino";

/** The request a log line was written for (server.ts runs each request inside it). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const REDACTED_KEYS = [
  "phone",
  "phoneE164",
  "recipientPhone",
  "to",
  "from",
  "wa_id",
  "name",
  "email",
  "body",
  "text",
  "params",
  "payload",
  "token",
  "accessToken",
  "access_token",
  "authorization",
  "pin",
];

const PHONE_LIKE = /\+?\d[\d\s().-]{5,}\d/g;
const EMAIL_LIKE = /[^\s@"'`<>()]+@[^\s@"'`<>()]+\.[a-z]{2,}/gi;

/** Masks anything shaped like a phone number or an email address. */
export function scrub(text: string): string {
  return text.replace(EMAIL_LIKE, "[email]").replace(PHONE_LIKE, "[number]");
}

/** What of an error may be logged: its type, code and a scrubbed first line (Prisma's first line names the call, not the data). */
export function describeError(error: unknown): { type: string; code?: string | number; message: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: scrub(String(error)).slice(0, 300) };
  const issues = (error as { issues?: { path?: unknown[] }[] }).issues;
  if (Array.isArray(issues)) {
    // A validation error: which fields, never the values it received.
    return { type: error.name, message: `invalid fields: ${issues.map((issue) => (issue.path ?? []).join(".") || "(root)").join(", ")}`.slice(0, 300) };
  }
  const code = (error as { code?: unknown }).code;
  const isPrisma = error.constructor.name.startsWith("PrismaClient") || error.name.startsWith("PrismaClient");
  const firstLine = error.message.split("\n").find((line) => line.trim() !== "") ?? "";
  return {
    type: error.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: scrub(isPrisma ? firstLine.replace(/\{[\s\S]*$/, "") : firstLine).slice(0, 300),
  };
}

export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.ZAP_PROCESS ?? "zap" },
  redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`)], censor: "[redacted]" },
  serializers: { err: describeError, error: describeError },
  mixin: () => requestContext.getStore() ?? {},
});

export type Logger = typeof log;
