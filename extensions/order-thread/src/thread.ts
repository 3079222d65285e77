// Loading an order's WhatsApp thread from the app. In the admin, a relative
// fetch goes to the app's URL with the session token added by Shopify.

export interface ThreadMessage {
  id: string;
  direction: "IN" | "OUT";
  source: string;
  /** Meta's message type (text, image, location, …). */
  type: string;
  templateName: string | null;
  text: string | null;
  /** What a message other than plain text carries; only its kind is shown here. */
  content: { kind: string; media?: string | null; voice?: boolean } | null;
  reaction: string | null;
  edited: boolean;
  deleted: boolean;
  status: string;
  /** Why it did not go out: the app's code (worded by `reasonKey`), and words that are not the app's (Meta's). */
  error: { code: string | null; params: Record<string, string>; detail: string | null } | null;
  occurredAt: string;
}

export interface Thread {
  order: { id: string; shopifyOrderId: string; name: string };
  /** The order's newest messages, oldest first. */
  messages: ThreadMessage[];
  /** All the order's messages, also those before the newest page. */
  messageCount: number;
  totalCostMicros: number | null;
  currency: string | null;
  /** Cash on delivery: the customer's answer; null for other orders. */
  cod: { status: string } | null;
  /** The shop's IANA timezone: times are shown in it, as on the app's pages. */
  timezone: string;
}

export type ThreadState = { kind: "loading" } | { kind: "failed" } | { kind: "loaded"; thread: Thread | null };

const KINDS = ["location", "contacts", "order", "system"];

/** The catalogue key naming what a message without text is: a photo, a location, a notice, … */
export function kindKey(m: Pick<ThreadMessage, "type" | "content">): string {
  const content = m.content;
  if (content?.kind === "media") return content.voice ? "kind.voice" : content.media ? `kind.${content.media}` : "kind.placeholder";
  if (content && KINDS.includes(content.kind)) return `kind.${content.kind}`;
  return "kind.other";
}

/** Reasons the block words; any other reads as `reason.other`, with its detail. */
const REASONS = [
  "OPTED_OUT",
  "NO_CONSENT",
  "BLOCKED_MARKET",
  "OPT_IN_REQUIRED",
  "TEMPLATE_HELD",
  "TEMPLATE_NOT_APPROVED",
  "EMPTY_VARIABLE",
  "NO_PHONE",
  "AUTOMATION_PAUSED",
  "CHECKOUT_COMPLETED",
  "ANSWER_TOO_LATE",
  "NOT_CONNECTED",
  "NO_CONTENT",
  "SEND_GAVE_UP",
  "NOT_RESENT",
  "APP_UNINSTALLED",
  "WHATSAPP_DISCONNECTED",
  "META_ERROR",
];

/** The catalogue key saying why a message did not go out. */
export function reasonKey(error: { code: string | null; params: Record<string, string> }): string {
  if (error.code === "META_ERROR" && !error.params.code) return "reason.other";
  return error.code && REASONS.includes(error.code) ? `reason.${error.code}` : "reason.other";
}

/** The latest messages shown in the block; the app page has the rest. */
export const SHOWN = 5;

export async function loadThread(fetchImpl: typeof fetch, orderGid: string): Promise<ThreadState> {
  try {
    const response = await fetchImpl(`/api/orders/${encodeURIComponent(orderGid)}/thread`);
    if (response.status === 404) return { kind: "loaded", thread: null };
    if (!response.ok) return { kind: "failed" };
    return { kind: "loaded", thread: (await response.json()) as Thread };
  } catch {
    return { kind: "failed" };
  }
}
