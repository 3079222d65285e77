import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";

import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { completeSignup, continueOnboarding, signupEventSchema } from "../whatsapp/signup.server";

// POST /app/signup (JSON): the connect page hands over Embedded Signup's
// code and session event, or asks to resume an unfinished onboarding.
const bodySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("signup"), code: z.string().min(1).max(2048), event: signupEventSchema.optional() }),
  z.object({ intent: z.literal("resume") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const parsed = bodySchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return Response.json({ ok: false, step: "request", reason: `${issue?.path.join(".") || "body"}: ${issue?.message}` }, { status: 400 });
  }
  const result = parsed.data.intent === "signup" ? await completeSignup(appDeps(), shop.id, { code: parsed.data.code, event: parsed.data.event }) : await continueOnboarding(appDeps(), shop.id);
  return Response.json(result, { status: result.ok ? 200 : 422 });
};
