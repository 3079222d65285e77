// Sending the customer's opt-in to the app: the checkout session token proves
// the shop, the body names the order (with the confirmation number only its
// buyer sees) and the exact words the customer saw.

export type OptInState = "idle" | "saving" | "OPTED_IN" | "NO_PHONE" | "STOPPED_IN_WHATSAPP" | "failed";

const ANSWERS = new Set<OptInState>(["OPTED_IN", "NO_PHONE", "STOPPED_IN_WHATSAPP"]);

export async function sendOptIn(fetchImpl: typeof fetch, appUrl: string, token: string, body: { orderId: string; confirmationNumber: string; text: string; locale: string }): Promise<OptInState> {
  try {
    const response = await fetchImpl(`${appUrl}/api/checkout/whatsapp-consent`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = ((await response.json()) as { result?: OptInState }).result;
    return answer && ANSWERS.has(answer) ? answer : "failed";
  } catch {
    return "failed";
  }
}
