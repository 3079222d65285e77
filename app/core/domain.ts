// The vocabulary of the data model: allowed values of the string columns in
// prisma/schema.prisma (SQLite has no enums), and their lifecycle order.

export const MESSAGE_STATUSES = ["SCHEDULED", "QUEUED", "SENDING", "UNCONFIRMED", "SENT", "DELIVERED", "READ", "FAILED", "SKIPPED", "CANCELLED", "RECEIVED"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * Lifecycle rank of an outgoing message. A status is applied only when it
 * ranks higher than the one already stored, so a late `delivered` never
 * overwrites `read`, and a replay changes nothing. `failed` ranks above
 * `sent`/`delivered` (Meta can fail a message after accepting it) but below
 * `read` (a read message was delivered, whatever arrives later).
 */
export const STATUS_RANK: Record<MessageStatus, number> = {
  SCHEDULED: 1,
  QUEUED: 2,
  SENDING: 3,
  // Handed to Meta with no answer (crash, timeout): a status may still come.
  UNCONFIRMED: 3,
  SENT: 4,
  DELIVERED: 5,
  FAILED: 6,
  READ: 7,
  SKIPPED: 8,
  CANCELLED: 8,
  RECEIVED: 0,
};

/** What a message that will not be sent after all is written with: its status, rank and why (a reason code, app/core/reasons.ts). */
export function cancelled(skipReason: string) {
  return { status: "CANCELLED", statusRank: STATUS_RANK.CANCELLED, skipReason } as const;
}

export type MessageDirection = "IN" | "OUT";
export type MessageSource = "AUTOMATION" | "CAMPAIGN" | "STAFF" | "PHONE_APP" | "CUSTOMER" | "HISTORY";

export const ONBOARDING_STATES = ["NOT_CONNECTED", "TOKEN_EXCHANGED", "NUMBER_SELECTED", "SUBSCRIBED", "REGISTERED", "SYNC_REQUESTED", "CONNECTED", "FAILED", "DISCONNECTED"] as const;
export type OnboardingState = (typeof ONBOARDING_STATES)[number];

export const TEMPLATE_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export const AUTOMATION_TRIGGERS = [
  "ORDER_CREATED",
  "COD_CONFIRMATION",
  "ORDER_PAID",
  "ORDER_CANCELLED",
  "ORDER_FULFILLED",
  "FULFILLMENT_CREATED",
  "OUT_FOR_DELIVERY",
  "DELIVERED",
  "CHECKOUT_ABANDONED",
] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

export type WebhookSource = "SHOPIFY" | "META";
export type WebhookReceiptStatus = "RECEIVED" | "PROCESSED" | "REJECTED" | "IGNORED";

/** Order and checkout fields a template parameter can be mapped to. */
export const MAPPABLE_FIELDS = [
  "customer_first_name",
  "order_name",
  "order_total",
  "items",
  "tracking_url",
  "tracking_number",
  "tracking_company",
  "checkout_url",
  "order_status_url",
  "store_name",
] as const;

/** The customer service window: free-form replies are allowed this long after the customer last wrote. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Meta spells authentication-international with a hyphen in pricing and an underscore elsewhere. */
export function normalisePricingCategory(category: string | undefined): string | undefined {
  return category?.toLowerCase().replace(/-/g, "_");
}

/** The inbox's views: the open conversations (all, mine, nobody's, asking for a person, past the first-response target, unread, waiting for a reply) and the closed ones. */
export const INBOX_FILTERS = ["all", "mine", "unassigned", "needs-person", "overdue", "unread", "needs-reply", "closed"] as const;
export type InboxFilter = (typeof INBOX_FILTERS)[number];

/** How an opt-out came about, for a page to word: a staff member (by name), a keyword the customer sent, WhatsApp's own controls, or a source not known here. */
export type OptOutSource =
  | { kind: "staff"; name: string }
  | { kind: "keyword"; keyword: string }
  | { kind: "whatsappSettings" }
  | { kind: "stopPromotions" }
  | { kind: "refusedByWhatsApp" }
  | { kind: "shopifySms" }
  | { kind: "other" };
