// The order's reply box and sending from it, through the app. In the admin, a
// relative fetch goes to the app's URL with the session token added by Shopify.

export interface ReplyContext {
  order: { name: string };
  customerName: string | null;
  canReply: boolean;
  window: { open: boolean; closesAt: string | null };
  templates: string[];
}

export type ContextState = { kind: "loading" } | { kind: "failed" } | { kind: "notFound" } | { kind: "loaded"; context: ReplyContext };

export type Reply = { kind: "text"; text: string } | { kind: "template"; templateName: string };

/** The app's answer to a reply: refusals name the field and say why in a code the extension words; `detail`: WhatsApp's own words, if any. */
export type SendResult = { ok: true } | { ok: false; field: string; code: string; detail?: string | null };

const replyUrl = (orderGid: string) => `/api/orders/${encodeURIComponent(orderGid)}/reply`;

export async function loadContext(fetchImpl: typeof fetch, orderGid: string): Promise<ContextState> {
  try {
    const response = await fetchImpl(replyUrl(orderGid));
    if (response.status === 404) return { kind: "notFound" };
    if (!response.ok) return { kind: "failed" };
    return { kind: "loaded", context: (await response.json()) as ReplyContext };
  } catch {
    return { kind: "failed" };
  }
}

/** Sends once per `requestId`: sending again with the same id (a double click, a retry) is not a second message. */
export async function sendReply(fetchImpl: typeof fetch, orderGid: string, reply: Reply, requestId: string): Promise<SendResult> {
  try {
    const response = await fetchImpl(replyUrl(orderGid), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...reply, requestId }) });
    const body = (await response.json().catch(() => null)) as SendResult | null;
    // Only the app's own answer settles the reply; any other body (an error from on the way) leaves the outcome unknown.
    return typeof body?.ok === "boolean" ? body : { ok: false, field: "order", code: "unreachable" };
  } catch {
    return { ok: false, field: "order", code: "unreachable" };
  }
}

/** How long the window stays open, as the thread page says it, in the units of the merchant's language. */
export function timeLeft(closesAt: string | null, translate: (key: string, values: Record<string, number>) => string, now = Date.now()): string {
  const minutes = closesAt ? Math.max(0, Math.round((new Date(closesAt).getTime() - now) / 60_000)) : 0;
  return minutes >= 60 ? translate("timeLeft.hours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 }) : translate("timeLeft.minutes", { minutes });
}
