// Browser side of Embedded Signup. The login callback (with the 30-second
// code) and the WA_EMBEDDED_SIGNUP message event arrive on two independent
// channels, in either order; this correlates them. Message events count only
// from an exact origin allow-list (an endsWith("facebook.com") check would
// accept evilfacebook.com).

export const META_ORIGINS = ["https://www.facebook.com", "https://web.facebook.com"];

/** Facebook's locale for each of the app's: the SDK's dialogs (Embedded Signup) speak it. */
const FACEBOOK_LOCALES = { en: "en_US", es: "es_LA", "pt-BR": "pt_BR" } as const;

/** The SDK's URL in the staff member's language: Facebook serves it per locale (`/<locale>/sdk.js`); a URL without one is kept. */
export function sdkUrlFor(sdkUrl: string, locale: keyof typeof FACEBOOK_LOCALES): string {
  return sdkUrl.replace(/\/[a-z]{2}_[A-Z]{2}\/sdk\.js$/, `/${FACEBOOK_LOCALES[locale]}/sdk.js`);
}

export interface SignupSessionEvent {
  type: "WA_EMBEDDED_SIGNUP";
  event: string;
  data?: Record<string, unknown>;
  version?: string | number;
}

export type SignupOutcome =
  | { kind: "submit"; code: string; event?: SignupSessionEvent }
  | { kind: "cancelled"; step?: string }
  | { kind: "error"; message?: string }
  /** The window closed (or the SDK answered) with no code and no finish event. */
  | { kind: "no-code" }
  /** Meta's finish event came, but the login callback brought no code: nothing can be exchanged. */
  | { kind: "finished-no-code" }
  /** A finish event came and its login callback never did. */
  | { kind: "timeout" };

/** Parses a postMessage payload into a session event, or null when it is not one from an allowed origin. */
export function readSessionMessage(origin: string, data: unknown, allowedOrigins: readonly string[]): SignupSessionEvent | null {
  if (!allowedOrigins.includes(origin)) return null;
  let payload: unknown = data;
  if (typeof data === "string") {
    try {
      payload = JSON.parse(data);
    } catch {
      return null;
    }
  }
  const candidate = payload as Partial<SignupSessionEvent> | null;
  if (!candidate || candidate.type !== "WA_EMBEDDED_SIGNUP" || typeof candidate.event !== "string") return null;
  return candidate as SignupSessionEvent;
}

export interface SignupTimeouts {
  /** After a code, how long to wait for the session event before submitting without it. */
  eventGraceMs: number;
  /** After a finish event, how long to wait for the login callback before giving up. */
  loginWaitMs: number;
}

const DEFAULT_TIMEOUTS: SignupTimeouts = { eventGraceMs: 3_000, loginWaitMs: 20_000 };

const str = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * Waits for both channels and settles exactly once, whatever their order and
 * whether or not each comes:
 * - a CANCEL or ERROR event settles at once (cancelled, or error with Meta's
 *   message and error id when it gives them);
 * - a code with a FINISH event submits; a code alone waits `eventGraceMs` for
 *   the event, then submits without it (the server finds the WABA);
 * - a FINISH event with a login callback that has no code is
 *   "finished-no-code"; a FINISH event whose callback never comes times out
 *   after `loginWaitMs`;
 * - a callback with no code and no event waits `eventGraceMs` for a late
 *   event, then is "no-code".
 */
export class SignupSession {
  private code: string | undefined;
  private event: SignupSessionEvent | undefined;
  private loginDone = false;
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly timeouts: SignupTimeouts;

  constructor(
    private readonly onOutcome: (outcome: SignupOutcome) => void,
    timeouts: Partial<SignupTimeouts> = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  receiveEvent(event: SignupSessionEvent): void {
    // The first event of a session counts: a late duplicate changes nothing.
    this.event ??= event;
    this.decide();
  }

  receiveLogin(code: string | undefined): void {
    if (this.loginDone) return;
    this.loginDone = true;
    this.code = code || undefined;
    this.decide();
  }

  /** Stops waiting (the merchant started over): no outcome is reported. */
  dispose(): void {
    this.settled = true;
    this.clearTimer();
  }

  private decide(): void {
    if (this.settled) return;
    const event = this.event;
    if (event && !event.event.startsWith("FINISH")) return this.settle(failure(event));
    if (this.code) {
      if (event) return this.settle({ kind: "submit", code: this.code, event });
      const code = this.code;
      return this.wait(this.timeouts.eventGraceMs, () => ({ kind: "submit", code, event: this.event }));
    }
    if (event && this.loginDone) return this.settle({ kind: "finished-no-code" });
    if (event) return this.wait(this.timeouts.loginWaitMs, () => ({ kind: "timeout" }));
    if (this.loginDone) this.wait(this.timeouts.eventGraceMs, () => ({ kind: "no-code" }));
  }

  /** (Re)starts the one timer: when it fires, the outcome is decided as things stand then. */
  private wait(ms: number, outcome: () => SignupOutcome): void {
    this.clearTimer();
    this.timer = setTimeout(() => this.settle(outcome()), ms);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(outcome: SignupOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimer();
    this.onOutcome(outcome);
  }
}

/** A CANCEL or ERROR event: an error when Meta reports one (CANCEL with error fields counts), else a cancel at its step. */
function failure(event: SignupSessionEvent): SignupOutcome {
  const data = event.data ?? {};
  const message = str(data.error_message);
  const errorId = str(data.error_id) ?? (typeof data.error_id === "number" ? String(data.error_id) : undefined);
  if (event.event.includes("ERROR") || message || errorId) {
    return { kind: "error", message: message && errorId ? `${message} (${errorId})` : (message ?? errorId) };
  }
  return { kind: "cancelled", step: str(data.current_step) };
}
