// Browser side of Embedded Signup. The login callback (with the 30-second
// code) and the WA_EMBEDDED_SIGNUP message event arrive on two independent
// channels, in either order; this correlates them. Message events count only
// from an exact origin allow-list (an endsWith("facebook.com") check would
// accept evilfacebook.com).

export const META_ORIGINS = ["https://www.facebook.com", "https://web.facebook.com"];

export interface SignupSessionEvent {
  type: "WA_EMBEDDED_SIGNUP";
  event: string;
  data?: Record<string, unknown>;
  version?: string | number;
}

export type SignupOutcome =
  | { kind: "submit"; code: string; event?: SignupSessionEvent }
  | { kind: "cancelled"; step?: string }
  | { kind: "error"; message: string }
  | { kind: "no-code" };

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

/**
 * Waits for both channels. Once the code is there the outcome is decided: with
 * the session event if it came (or comes within `eventGraceMs`), without it
 * otherwise (the server then finds the WABA from the token). A cancel or error
 * event with no code ends the session as such; a login callback with no code
 * and no event is "no-code" (the popup closed or was blocked).
 */
export class SignupSession {
  private code: string | undefined;
  private event: SignupSessionEvent | undefined;
  private loginDone = false;
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly onOutcome: (outcome: SignupOutcome) => void,
    private readonly eventGraceMs = 3_000,
  ) {}

  receiveEvent(event: SignupSessionEvent): void {
    this.event = event;
    this.decide();
  }

  receiveLogin(code: string | undefined): void {
    this.loginDone = true;
    this.code = code || undefined;
    this.decide();
  }

  private decide(): void {
    if (this.settled) return;
    const event = this.event;
    const failed = event && !event.event.startsWith("FINISH");
    if (failed && (!this.code || this.loginDone)) {
      const data = event.data ?? {};
      const message = typeof data.error_message === "string" ? data.error_message : undefined;
      return this.settle(
        event.event.includes("ERROR") || message
          ? { kind: "error", message: message ?? "Meta reported an error" }
          : { kind: "cancelled", step: typeof data.current_step === "string" ? data.current_step : undefined },
      );
    }
    if (this.code && event) return this.settle({ kind: "submit", code: this.code, event });
    if (this.code && !this.timer) {
      const code = this.code;
      this.timer = setTimeout(() => this.settle({ kind: "submit", code, event: this.event }), this.eventGraceMs);
      return;
    }
    if (this.loginDone && !this.code && !event) {
      // A finish event with no code cannot be completed either.
      this.timer = setTimeout(() => this.settle({ kind: "no-code" }), this.eventGraceMs);
    }
  }

  private settle(outcome: SignupOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    this.onOutcome(outcome);
  }
}
