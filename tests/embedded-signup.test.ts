import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { META_ORIGINS, readSessionMessage, sdkUrlFor, SignupSession, type SignupOutcome } from "../app/whatsapp/embedded-signup";
import { createSignupState, readSignupState } from "../app/whatsapp/signup-redirect.server";
import { readSignupEvent } from "../app/whatsapp/signup.server";

const finish = { type: "WA_EMBEDDED_SIGNUP" as const, event: "FINISH", data: { phone_number_id: "1", waba_id: "2" } };
const coexFinish = { type: "WA_EMBEDDED_SIGNUP" as const, event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", data: { waba_id: "2" } };

describe("Embedded Signup in the browser", () => {
  let outcomes: SignupOutcome[];
  let session: SignupSession;
  beforeEach(() => {
    vi.useFakeTimers();
    outcomes = [];
    session = new SignupSession((o) => outcomes.push(o), { eventGraceMs: 3000, loginWaitMs: 20_000 });
  });
  afterEach(() => vi.useRealTimers());

  it("accepts session events only from the exact Meta origins", () => {
    const message = JSON.stringify(finish);
    expect(readSessionMessage("https://www.facebook.com", message, META_ORIGINS)).toMatchObject({ event: "FINISH" });
    expect(readSessionMessage("https://web.facebook.com", finish, META_ORIGINS)).toMatchObject({ event: "FINISH" });
    expect(readSessionMessage("https://evilfacebook.com", message, META_ORIGINS)).toBeNull();
    expect(readSessionMessage("https://www.facebook.com.evil.io", message, META_ORIGINS)).toBeNull();
    expect(readSessionMessage("https://www.facebook.com", "{not json", META_ORIGINS)).toBeNull();
    expect(readSessionMessage("https://www.facebook.com", JSON.stringify({ type: "OTHER" }), META_ORIGINS)).toBeNull();
  });

  it("submits once when the event comes before the code", () => {
    session.receiveEvent(finish);
    expect(outcomes).toEqual([]);
    session.receiveLogin("code-1");
    vi.runAllTimers();
    expect(outcomes).toEqual([{ kind: "submit", code: "code-1", event: finish }]);
  });

  it("submits once when the code comes before the event", () => {
    session.receiveLogin("code-2");
    vi.advanceTimersByTime(1000);
    session.receiveEvent(coexFinish);
    vi.runAllTimers();
    expect(outcomes).toEqual([{ kind: "submit", code: "code-2", event: coexFinish }]);
  });

  it("submits the code alone when no event arrives (the server finds the WABA)", () => {
    session.receiveLogin("code-3");
    vi.advanceTimersByTime(3000);
    expect(outcomes).toEqual([{ kind: "submit", code: "code-3", event: undefined }]);
  });

  it("reports a cancel with the step, an error with its message, and a closed popup", () => {
    session.receiveEvent({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { current_step: "PHONE_NUMBER_SETUP" } });
    session.receiveLogin(undefined);
    const errored = new SignupSession((o) => outcomes.push(o));
    errored.receiveEvent({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { error_message: "Number already in use", error_id: "524126" } });
    const closed = new SignupSession((o) => outcomes.push(o), { eventGraceMs: 3000 });
    closed.receiveLogin(undefined);
    vi.runAllTimers();
    expect(outcomes).toEqual([{ kind: "cancelled", step: "PHONE_NUMBER_SETUP" }, { kind: "error", message: "Number already in use (524126)" }, { kind: "no-code" }]);
  });

  it("settles a finish event whose login callback has no code, in either order, as finished without a code", () => {
    session.receiveEvent(coexFinish);
    session.receiveLogin(undefined);
    const loginFirst = new SignupSession((o) => outcomes.push(o), { eventGraceMs: 3000 });
    loginFirst.receiveLogin(undefined);
    vi.advanceTimersByTime(1000);
    loginFirst.receiveEvent(finish);
    vi.runAllTimers();
    expect(outcomes).toEqual([{ kind: "finished-no-code" }, { kind: "finished-no-code" }]);
  });

  it("times out when the finish event comes and the login callback never does", () => {
    session.receiveEvent(finish);
    vi.advanceTimersByTime(19_999);
    expect(outcomes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(outcomes).toEqual([{ kind: "timeout" }]);
    session.receiveLogin("too-late");
    vi.runAllTimers();
    expect(outcomes).toHaveLength(1);
  });

  it("reports an ERROR event without details as an error with no message, and a disposed session reports nothing", () => {
    session.receiveEvent({ type: "WA_EMBEDDED_SIGNUP", event: "ERROR_WHATSAPP_BUSINESS_APP_ONBOARDING", data: {} });
    const disposed = new SignupSession((o) => outcomes.push(o));
    disposed.receiveLogin("code-4");
    disposed.dispose();
    vi.runAllTimers();
    expect(outcomes).toEqual([{ kind: "error", message: undefined }]);
  });
});

describe("session events on the server", () => {
  it("decides the path on the real event", () => {
    expect(readSignupEvent(finish)).toEqual({ kind: "finish", coexistence: false, wabaId: "2", phoneNumberId: "1", businessId: undefined });
    expect(readSignupEvent(coexFinish)).toMatchObject({ kind: "finish", coexistence: true, wabaId: "2", phoneNumberId: undefined });
    expect(readSignupEvent({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH_ONLY_WABA", data: { waba_id: "9" } })).toMatchObject({ kind: "finish", wabaId: "9" });
    expect(readSignupEvent({ type: "WA_EMBEDDED_SIGNUP", event: "ERROR_WHATSAPP_BUSINESS_APP_ONBOARDING", data: {} })).toMatchObject({ kind: "error" });
    expect(readSignupEvent({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { current_step: "WABA_SETUP" } })).toEqual({ kind: "cancel", step: "WABA_SETUP" });
  });

  it("loads Facebook's SDK in the staff member's language, so Embedded Signup's dialogs speak it", () => {
    const official = "https://connect.facebook.net/en_US/sdk.js";
    expect(sdkUrlFor(official, "es")).toBe("https://connect.facebook.net/es_LA/sdk.js");
    expect(sdkUrlFor(official, "pt-BR")).toBe("https://connect.facebook.net/pt_BR/sdk.js");
    expect(sdkUrlFor("https://connect.facebook.net/es_LA/sdk.js", "en")).toBe(official);
    // The sandbox's stand-in has no locale in its path.
    expect(sdkUrlFor("http://127.0.0.1:4010/_sim/fb-sdk.js", "es")).toBe("http://127.0.0.1:4010/_sim/fb-sdk.js");
  });

  it("signs the redirect-flow state and refuses forged or expired ones", () => {
    const key = Buffer.alloc(32, 1);
    const state = createSignupState({ shop: "a.myshopify.com", coexistence: true }, key, 1_000_000);
    const read = readSignupState(state, key, 1_000_001);
    expect(readSignupState(createSignupState({ shop: "a.myshopify.com", coexistence: false, locale: "pt-BR" }, key, 1_000_000), key, 1_000_001)).toMatchObject({ locale: "pt-BR" });
    expect(read).toEqual({ shop: "a.myshopify.com", coexistence: true, issuedAt: new Date(1_000_000), linkId: expect.stringMatching(/^[\w-]{22}$/) });
    // Each link has an id of its own: the callback stores it to use a link once.
    expect(readSignupState(createSignupState({ shop: "a.myshopify.com", coexistence: true }, key, 1_000_000), key, 1_000_001)!.linkId).not.toBe(read!.linkId);
    expect(readSignupState(state, Buffer.alloc(32, 2), 1_000_001)).toBeNull();
    expect(readSignupState(state, key, 1_000_000 + 31 * 60 * 1000)).toBeNull();
    const [payload] = state.split(".");
    const forged = Buffer.from(JSON.stringify({ shop: "b.myshopify.com", exp: 9e15 })).toString("base64url");
    expect(readSignupState(`${forged}.${state.split(".")[1]}`, key)).toBeNull();
    expect(payload).toBeTruthy();
  });
});
