import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";

import { ConnectPage } from "../ui/ConnectPage";
import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { META_ORIGINS, sdkUrlFor } from "../whatsapp/embedded-signup";
import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { signupDialogUrl } from "../whatsapp/signup-redirect.server";
import { getParkedSignup } from "../whatsapp/signup-parked.server";
import { disconnectWhatsApp } from "../whatsapp/signup.server";
import { getConnection } from "../whatsapp/account.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const settings = config();
  const connection = await getConnection(db(), shop.id);
  const sdkOrigin = new URL(settings.FACEBOOK_SDK_URL).origin;
  return {
    locale,
    connection,
    parked: await getParkedSignup(db(), shop.id),
    timezone: shop.timezone,
    inactivityDays: settings.PHONE_APP_INACTIVITY_DAYS,
    signup: {
      appId: settings.META_APP_ID,
      configId: settings.META_CONFIG_ID,
      graphVersion: settings.WHATSAPP_GRAPH_VERSION,
      sdkUrl: sdkUrlFor(settings.FACEBOOK_SDK_URL, locale),
      // The sandbox's stand-in dialog posts from the simulator's origin; nowhere else is added.
      allowedOrigins: settings.ZAP_SANDBOX ? [...META_ORIGINS, sdkOrigin] : META_ORIGINS,
      dialogCloud: signupDialogUrl(settings, shop.domain, false, locale),
      dialogCoexistence: signupDialogUrl(settings, shop.domain, true, locale),
    },
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await requireShop(request);
  const form = await request.formData();
  if (form.get("intent") !== "disconnect") return Response.json({ error: "intent: must be disconnect" }, { status: 400 });
  await disconnectWhatsApp(appDeps(), shop.id, "MERCHANT_DISCONNECTED");
  return { disconnected: true };
};

export default function Connect() {
  return <ConnectPage data={useLoaderData<typeof loader>()} />;
}
