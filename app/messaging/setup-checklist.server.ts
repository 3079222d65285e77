// The home page's setup path for a new shop (issue 16): connect WhatsApp, get
// the order confirmation template approved, turn an automation on, send a test
// to the merchant's own number. Each step is read from what the shop has done,
// so a step done another way (a campaign's test, a template made in Meta's
// tools) counts too.
import type { Db } from "../core/db.server";

export const SETUP_STEPS = ["connect", "templates", "automations", "test"] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export interface SetupChecklist {
  steps: { step: SetupStep; done: boolean }[];
  /** The first step not done: the checklist's one primary action. Null once all are done. */
  next: SetupStep | null;
}

/** Statuses a test has reached once WhatsApp accepted it. */
const SENT = ["SENT", "DELIVERED", "READ"];

/** Whether the shop has a WhatsApp number connected: what sending, the inbox and costs need (issue 16's notices). */
export async function hasConnectedNumber(db: Db, shopId: string): Promise<boolean> {
  return (await db.whatsAppAccount.count({ where: { shopId, onboardingState: "CONNECTED" } })) > 0;
}

export async function setupChecklist(db: Db, shopId: string): Promise<SetupChecklist> {
  const [connected, template, automation, test] = await Promise.all([
    hasConnectedNumber(db, shopId),
    db.template.findFirst({ where: { shopId, name: "order_confirmation", status: "APPROVED" }, select: { id: true } }),
    db.automation.findFirst({ where: { shopId, enabled: true }, select: { id: true } }),
    db.message.findFirst({
      where: { shopId, source: "STAFF", status: { in: SENT }, OR: [{ idempotencyKey: { startsWith: "AUTOMATION_TEST:" } }, { idempotencyKey: { startsWith: "CAMPAIGN_TEST:" } }] },
      select: { id: true },
    }),
  ]);
  const done: Record<SetupStep, boolean> = { connect: connected, templates: Boolean(template), automations: Boolean(automation), test: Boolean(test) };
  const steps = SETUP_STEPS.map((step) => ({ step, done: done[step] }));
  return { steps, next: steps.find((s) => !s.done)?.step ?? null };
}
