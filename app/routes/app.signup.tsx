import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";

import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { confirmParkedSignup, discardParkedSignup } from "../whatsapp/signup-parked.server";
import { completeSignup, continueOnboarding, signupEventSchema } from "../whatsapp/signup.server";

// POST /app/signup (JSON): the connect page hands over Embedded Signup's
// code and session event, asks to resume an unfinished onboarding, or
// confirms or discards a signup parked by the redirect fallback.
const bodySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("signup"), code: z.string().min(1).max(2048), event: signupEventSchema.optional() }),
  z.object({ intent: z.literal("resume") }),
  z.object({ intent: z.literal("confirm-parked") }),
  z.object({ intent: z.literal("discard-parked") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const parsed = bodySchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return Response.json({ ok: false, step: "request", reason: `${issue?.path.join(".") || "body"}: ${issue?.message}` }, { status: 400 });
  }
  const body = parsed.data;
  if (body.intent === "discard-parked") {
    await discardParkedSignup(appDeps().db, shop.id);
    return Response.json({ ok: true });
  }
  const result =
    body.intent === "signup"
      ? await completeSignup(appDeps(), shop.id, { code: body.code, event: body.event })
      : body.intent === "confirm-parked"
        ? await confirmParkedSignup(appDeps(), shop.id)
        : await continueOnboarding(appDeps(), shop.id);
  return Response.json(result, { status: result.ok ? 200 : 422 });
};
