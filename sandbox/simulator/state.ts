// The simulator's in-memory world: one business with a WABA and two numbers
// (a Cloud API number and a Coexistence number), its templates, the messages
// it accepted, and the customer service windows customers opened. Tests add
// other businesses (other merchants) whose tokens reach only their own WABA.
import { randomBytes, randomInt } from "node:crypto";

import { createMediaStore } from "./media";
import type { SignupOrder } from "./signup-pages";

export interface SimPhoneNumber {
  id: string;
  displayPhoneNumber: string;
  verifiedName: string;
  coexistence: boolean;
  qualityRating: string;
  registered: boolean;
  onboardedAt: number;
  syncRequests: { syncType: string; requestId: string; at: number }[];
}

export interface SimTemplate {
  id: string;
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY" | "AUTHENTICATION";
  status: string;
  parameterFormat: "POSITIONAL" | "NAMED";
  components: Record<string, unknown>[];
}

export interface SimStatus {
  status: "sent" | "delivered" | "read" | "failed";
  at: number;
  errorCode?: number;
}

export interface SimMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  type: string;
  /** buttons: the template's quick replies, each with the payload the send gave it (else its text, as Meta does). */
  template?: { name: string; language: string; category: string; parameters: string[]; buttons: { text: string; payload: string }[]; links: string[] };
  text?: string;
  bizOpaqueCallbackData?: string;
  pricing: { category: string; type: string; billable: boolean };
  country: string;
  acceptedAt: number;
  statuses: SimStatus[];
}

export interface SimWaba {
  id: string;
  name: string;
  currency: string;
  timezoneId: string;
  businessId: string;
  subscribed: boolean;
  phoneNumbers: SimPhoneNumber[];
  templates: SimTemplate[];
}

export interface WebhookDelivery {
  field: string;
  status: number;
  at: number;
  attempts: number;
}

export interface SimSettings {
  /** Accepted sends per phone number per second; above it the API answers 130429. */
  ratePerSecond: number;
  /** Delay between an accepted send and its first status webhook. */
  statusDelayMs: number;
  /** Gap between a message's successive statuses; unset, the same as statusDelayMs. */
  statusStepMs?: number;
  /** Send a `read` after `delivered`. */
  sendRead: boolean;
  /** Template review time: PENDING → APPROVED after this long. */
  templateReviewMs: number;
  /** Free-form text outside the 24 h window: refused at once, or accepted then failed by webhook. */
  reengagementError: "sync" | "async";
  /** Embedded Signup popup: which channel reaches the app first, or that one never does, or a login without a code (signup-pages.ts). */
  signupOrder: SignupOrder;
  /** Waits before each retry of a webhook the app did not answer 200 (Meta retries for hours). */
  webhookRetryDelaysMs: number[];
  /** Deliver each status webhook twice, as Meta's at-least-once delivery sometimes does. */
  redeliverStatuses: boolean;
}

export const SEED = {
  wabaId: "102290129340398",
  businessId: "2729063490586005",
  cloudPhoneNumberId: "106540352242922",
  coexistencePhoneNumberId: "106540352242923",
  accessToken: "sim-business-token",
};

export function createWorld() {
  const waba: SimWaba = {
    id: SEED.wabaId,
    name: "Demo Store",
    currency: "USD",
    timezoneId: "America/Sao_Paulo",
    businessId: SEED.businessId,
    subscribed: false,
    phoneNumbers: [
      {
        id: SEED.cloudPhoneNumberId,
        displayPhoneNumber: "+1 555-010-0001",
        verifiedName: "Demo Store",
        coexistence: false,
        qualityRating: "GREEN",
        registered: false,
        onboardedAt: Date.now(),
        syncRequests: [],
      },
      {
        id: SEED.coexistencePhoneNumberId,
        displayPhoneNumber: "+55 11 98765-0002",
        verifiedName: "Demo Store Loja",
        coexistence: true,
        qualityRating: "GREEN",
        registered: true,
        onboardedAt: Date.now(),
        syncRequests: [],
      },
    ],
    templates: [],
  };
  return {
    wabas: [waba],
    /** access token → the one WABA it reaches (its debug_token scopes; every other object answers Meta's missing-permissions error) */
    tokens: new Map<string, string>([[SEED.accessToken, SEED.wabaId]]),
    /** signup code → grant (codes live 30 s, single use; redirect-mode codes remember their redirect_uri) */
    codes: new Map<string, { wabaId: string; issuedAt: number; redirectUri?: string }>(),
    messages: [] as SimMessage[],
    /** `${phoneNumberId}:${customer}` → last inbound time */
    windows: new Map<string, number>(),
    /** phoneNumberId → times of recent accepted sends and received messages (Meta counts both against the throughput) */
    recentSends: new Map<string, number[]>(),
    /** Forced failures; `lostResponse` accepts the send, then drops the connection without answering. */
    failNext: [] as { code: number; phoneNumberId?: string; path?: string; lostResponse?: boolean; async?: boolean }[],
    webhookDeliveries: [] as WebhookDelivery[],
    rateLimited: 0,
    /** Media customers sent (images, documents...), by media id. */
    media: createMediaStore(),
  };
}

export type World = ReturnType<typeof createWorld>;

export function findPhone(world: World, phoneNumberId: string): { waba: SimWaba; phone: SimPhoneNumber } | undefined {
  for (const waba of world.wabas) {
    const phone = waba.phoneNumbers.find((p) => p.id === phoneNumberId);
    if (phone) return { waba, phone };
  }
  return undefined;
}

/** A Graph object id: numeric like Meta's (the routes match digits), 15 digits, clear of the seeded ids. */
function newObjectId(): string {
  return String(randomInt(110_000_000_000_000, 280_000_000_000_000));
}

/**
 * Another merchant's business: its own WABA with one number, and a token
 * that, like any token Meta grants through Embedded Signup, reaches only the
 * WABA it was granted for.
 */
export function addBusiness(world: World, input: { name: string; coexistence: boolean }) {
  const waba: SimWaba = {
    id: newObjectId(),
    name: input.name,
    currency: "USD",
    timezoneId: "America/Sao_Paulo",
    businessId: newObjectId(),
    subscribed: false,
    phoneNumbers: [
      {
        id: newObjectId(),
        displayPhoneNumber: `+1 555-010-${String(1000 + world.wabas.length).slice(-4)}`,
        verifiedName: input.name,
        coexistence: input.coexistence,
        qualityRating: "GREEN",
        // A Business app number is already registered on WhatsApp; a new Cloud API number is not yet.
        registered: input.coexistence,
        onboardedAt: Date.now(),
        syncRequests: [],
      },
    ],
    templates: [],
  };
  world.wabas.push(waba);
  const accessToken = "sim-business-token-" + randomBytes(12).toString("hex");
  world.tokens.set(accessToken, waba.id);
  return { businessId: waba.businessId, wabaId: waba.id, phoneNumberId: waba.phoneNumbers[0]!.id, accessToken };
}

/**
 * One WhatsApp user however the number is written: a Mexican mobile's wa_id
 * carries the old "1" after 52 (5215512345678) and Meta also delivers to the
 * number without it (525512345678), in the same customer service window.
 */
export function waUser(digits: string): string {
  return /^521\d{10}$/.test(digits) ? `52${digits.slice(3)}` : digits;
}
