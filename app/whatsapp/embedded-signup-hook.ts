// The connect page's Embedded Signup: loads the Facebook SDK, opens the
// signup popup, correlates its two channels (SignupSession) and hands the
// code to POST /app/signup. Every path ends in a status the page shows:
// connected (no status), a translated error or cancel with "Try again", or
// a failed step with "Resume"; while the popup is open the page says so and
// offers "Try again" too, so nothing ever spins without a way out.
import { useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";

import { readSessionMessage, SignupSession, type SignupOutcome } from "./embedded-signup";
import type { Locale, Translate } from "../i18n";
import { signupStepName, storedReasonText, withDetail } from "../i18n/codes";

interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents: boolean; xfbml: boolean; version: string }): void;
  login(callback: (response: { authResponse?: { code?: string } | null; status?: string }) => void, options: Record<string, unknown>): void;
}
declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

export interface SignupSettings {
  appId: string;
  configId: string;
  graphVersion: string;
  sdkUrl: string;
  allowedOrigins: string[];
}

export type SignupStatus = { tone: "info" | "success" | "warning" | "critical"; text: string; action?: "resume" | "retry" } | null;

/** The onboarding request may wait on several Graph calls; past this the page offers to resume. */
const SUBMIT_TIMEOUT_MS = 120_000;

/** Meta's signup steps the page can name (its CANCEL event's `current_step`); another one is left unnamed, never shown as its code. */
const META_STEPS = { WABA_SETUP: "metaStep.wabaSetup", PHONE_NUMBER_SETUP: "metaStep.phoneNumberSetup", PHONE_NUMBER_VERIFICATION: "metaStep.phoneNumberVerification" } as const;

function metaStepText(t: Translate, step: string | undefined): string {
  const key = step && Object.hasOwn(META_STEPS, step) ? META_STEPS[step as keyof typeof META_STEPS] : null;
  return key ? t("connect.cancelled", { step: t(key) }) : t("connect.cancelledNoStep");
}

function outcomeStatus(outcome: Exclude<SignupOutcome, { kind: "submit" }>, t: Translate): NonNullable<SignupStatus> {
  switch (outcome.kind) {
    case "cancelled":
      return { tone: "warning", text: metaStepText(t, outcome.step), action: "retry" };
    case "error":
      return { tone: "critical", text: outcome.message ? t("connect.error", { message: outcome.message }) : t("connect.errorUnknown"), action: "retry" };
    case "no-code":
      return { tone: "warning", text: t("connect.noCode"), action: "retry" };
    case "finished-no-code":
      return { tone: "critical", text: t("connect.finishedNoCode"), action: "retry" };
    case "timeout":
      return { tone: "critical", text: t("connect.timeout"), action: "retry" };
  }
}

export function useEmbeddedSignup(signup: SignupSettings, t: Translate, locale: Locale) {
  const revalidator = useRevalidator();
  const [status, setStatus] = useState<SignupStatus>(null);
  const [busy, setBusy] = useState(false);
  const session = useRef<SignupSession | null>(null);
  const lastChoice = useRef(false);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const parsed = readSessionMessage(event.origin, event.data, signup.allowedOrigins);
      if (parsed) session.current?.receiveEvent(parsed);
    };
    window.addEventListener("message", onMessage);
    if (!document.getElementById("facebook-jssdk")) {
      window.fbAsyncInit = () => window.FB?.init({ appId: signup.appId, autoLogAppEvents: true, xfbml: false, version: signup.graphVersion });
      const script = document.createElement("script");
      script.id = "facebook-jssdk";
      script.async = true;
      script.crossOrigin = "anonymous";
      script.src = signup.sdkUrl;
      document.body.appendChild(script);
    }
    return () => window.removeEventListener("message", onMessage);
  }, [signup]);

  const submit = useCallback(
    async (body: unknown) => {
      setBusy(true);
      setStatus({ tone: "info", text: t("connect.working") });
      try {
        const response = await fetch("/app/signup", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS),
        });
        const result = (await response.json()) as { ok: boolean; step?: string; reason?: string };
        setStatus(
          result.ok
            ? null
            : {
                tone: "critical",
                text: t("connect.failed", { step: signupStepName(t, result.step), reason: storedReasonText(t, locale, result.reason ?? "", "code.unknown") }),
                action: response.status === 422 ? "resume" : "retry",
              },
        );
      } catch (error) {
        setStatus({ tone: "critical", text: t("connect.failed", { step: signupStepName(t, "request"), reason: withDetail(t, { text: t("code.unknown"), detail: String(error) }) }), action: "resume" });
      } finally {
        setBusy(false);
        revalidator.revalidate();
      }
    },
    [revalidator, t, locale],
  );

  const onOutcome = useCallback(
    (outcome: SignupOutcome) => {
      if (outcome.kind === "submit") void submit({ intent: "signup", code: outcome.code, event: outcome.event });
      else setStatus(outcomeStatus(outcome, t));
    },
    [submit, t],
  );

  // Must run inside the click: popup blockers allow windows opened by a user gesture only.
  const launch = (coexistence: boolean) => {
    lastChoice.current = coexistence;
    session.current?.dispose();
    if (!window.FB) return setStatus({ tone: "warning", text: t("connect.sdkMissing"), action: "retry" });
    const current = new SignupSession(onOutcome);
    session.current = current;
    setStatus({ tone: "info", text: t("connect.waiting"), action: "retry" });
    window.FB.login((response) => current.receiveLogin(response.authResponse?.code), {
      config_id: signup.configId,
      response_type: "code",
      override_default_response_type: true,
      extras: coexistence ? { setup: {}, featureType: "whatsapp_business_app_onboarding", sessionInfoVersion: "3" } : { setup: {} },
    });
  };

  return {
    status,
    busy,
    launch,
    retry: () => launch(lastChoice.current),
    resume: () => void submit({ intent: "resume" }),
    confirmParked: () => void submit({ intent: "confirm-parked" }),
    discardParked: () => void submit({ intent: "discard-parked" }),
  };
}
