import { describe, expect, it } from "vitest";

import { automationFormSchema } from "../app/messaging/automations.server";
import { isMessageKey, LOCALES, translator } from "../app/i18n";
import {
  actionErrorText,
  categoryName,
  errorText,
  languageName,
  marketName,
  messageProblem,
  messagingLimitName,
  plural,
  qualityName,
  regionName,
  storedReasonText,
  templateStatusName,
} from "../app/i18n/codes";
import { en } from "../app/i18n/en";
import { periodSchema } from "../app/pricing/report.server";
import { messageProblemOf, parseReason, REASON_CODES, reason } from "../app/core/reasons";
import { findUntranslated } from "./helpers/untranslated";

const t = { en: translator("en"), es: translator("es"), "pt-BR": translator("pt-BR") };

describe("reasons stored as codes", () => {
  it("round-trips a code with its parameters, and reads an old row's English as a detail", () => {
    const stored = reason("TEMPLATE_HELD", { template: "order_confirmation", language: "en_US", status: "PAUSED", none: null });
    expect(stored).toBe("TEMPLATE_HELD?template=order_confirmation&language=en_US&status=PAUSED");
    expect(parseReason(stored)).toEqual({ code: "TEMPLATE_HELD", params: { template: "order_confirmation", language: "en_US", status: "PAUSED" }, detail: null });
    expect(parseReason("Recipient not reachable")).toEqual({ code: null, params: {}, detail: "Recipient not reachable" });
    // Upper case but not ours (a Meta event name): a detail too.
    expect(parseReason("SOMETHING_ELSE")).toMatchObject({ code: null, detail: "SOMETHING_ELSE" });
  });

  it("reads the English old rows hold as the code it meant", () => {
    expect(parseReason("No marketing consent recorded for this customer")).toEqual({ code: "NO_CONSENT", params: {}, detail: null });
    expect(parseReason("Marketing to US numbers is blocked for this shop")).toEqual({ code: "BLOCKED_MARKET", params: { country: "US" }, detail: null });
    expect(parseReason("Template order_confirmation (en_US) is PAUSED")).toEqual({
      code: "TEMPLATE_HELD",
      params: { template: "order_confirmation", language: "en_US", status: "PAUSED" },
      detail: null,
    });
    expect(parseReason("Gave up after 5 attempts: (#131000) Something went wrong")).toEqual({
      code: "SEND_GAVE_UP",
      params: { attempts: "5", detail: "(#131000) Something went wrong" },
      detail: "(#131000) Something went wrong",
    });
    expect(storedReasonText(t.es, "es", "WhatsApp disconnected (ACCOUNT_DELETED)")).toBe("WhatsApp se desconectó (detalles: ACCOUNT_DELETED)");
    expect(storedReasonText(t["pt-BR"], "pt-BR", "The checkout was completed")).toBe("O checkout foi concluído");
    expect(storedReasonText(t.es, "es", "Automation paused: Meta moved template shipping_update from UTILITY to MARKETING")).toBe(
      "Automatización en pausa: Meta pasó la plantilla shipping_update de Utilidad a Marketing",
    );
  });

  it("every code has its sentence in every language", () => {
    for (const locale of LOCALES) {
      for (const code of REASON_CODES) {
        const text = storedReasonText(
          t[locale],
          locale,
          reason(code, { template: "t", language: "es", status: "PAUSED", n: 1, field: "f", attempts: 5, code: 131026, country: "MX", from: "UTILITY", to: "MARKETING", cause: "OPTED_OUT" }),
        );
        expect(text, `${locale} ${code}`).not.toMatch(/\{[a-z]\w*\}|^code\./);
      }
    }
  });
});

describe("reasons in the merchant's words", () => {
  it("words a skip reason with its parameters named in the UI language", () => {
    expect(storedReasonText(t.es, "es", reason("BLOCKED_MARKET", { country: "US" }))).toBe("El marketing a números de Estados Unidos está bloqueado en esta tienda");
    expect(storedReasonText(t["pt-BR"], "pt-BR", reason("TEMPLATE_HELD", { template: "order_confirmation", language: "en_US", status: "PAUSED" }))).toBe(
      "O modelo order_confirmation em inglês (Estados Unidos) não pode ser enviado: Pausado",
    );
    expect(storedReasonText(t.en, "en", reason("EMPTY_VARIABLE", { n: 2, field: "order_number" }))).toBe("Variable {{2}} (order_number) is empty");
    const paused = reason("AUTOMATION_PAUSED", { cause: reason("CATEGORY_MOVED", { template: "shipping_update", from: "UTILITY", to: "MARKETING" }) });
    expect(storedReasonText(t.es, "es", paused)).toBe("Automatización en pausa: Meta pasó la plantilla shipping_update de Utilidad a Marketing");
  });

  it("an unknown code or an old row's English falls back to a translated sentence with the raw text as the detail", () => {
    expect(storedReasonText(t.es, "es", "The cart was emptied")).toBe("No enviado, por un motivo que la app no conoce (detalles: The cart was emptied)");
    expect(storedReasonText(t["pt-BR"], "pt-BR", "NEW_CODE?x=1")).toBe("Não enviada, por um motivo que o app não conhece (detalhes: NEW_CODE?x=1)");
    expect(storedReasonText(t.en, "en", "Sent from elsewhere")).toBe("Not sent, for a reason the app does not know (details: Sent from elsewhere)");
    // Outside a message (an automation's pause, a signup that stopped) the fallback is a plain "something went wrong".
    expect(storedReasonText(t.es, "es", reason("AUTOMATION_PAUSED", { cause: "Paused by support" }))).toBe("Automatización en pausa: Algo salió mal (detalles: Paused by support)");
  });

  it("Meta's own error title is only a detail under a sentence naming its code", () => {
    expect(messageProblem(t.es, "es", { errorTitle: "Message undeliverable", errorCode: 131026 })).toEqual({ text: "WhatsApp rechazó el mensaje (error 131026)", detail: "Message undeliverable" });
    expect(messageProblem(t.en, "en", { errorTitle: "Rate limit hit", errorCode: null })).toEqual({ text: "WhatsApp refused the message", detail: "Rate limit hit" });
    expect(messageProblem(t["pt-BR"], "pt-BR", { errorTitle: reason("SEND_GAVE_UP", { attempts: 5, detail: "Service unavailable" }), errorCode: 131000 })).toEqual({
      text: "O WhatsApp não aceitou a mensagem após 5 tentativas",
      detail: "Service unavailable",
    });
    // A skip reason wins over a retry's error left on the row.
    expect(messageProblemOf({ skipReason: "OPTED_OUT", errorTitle: "Timeout", errorCode: 1 })).toMatchObject({ code: "OPTED_OUT" });
    expect(messageProblem(t.en, "en", { skipReason: null, errorTitle: null, errorCode: null })).toBeNull();
  });

  it("words refusals of page actions, with WhatsApp's words as the detail", () => {
    expect(actionErrorText(t.es, "es", { code: "noteEmpty" })).toBe("Escribe la nota.");
    expect(actionErrorText(t.es, "es", { code: "refused", cause: "Recipient phone number not in allowed list" })).toBe(
      "WhatsApp rechazó el mensaje. (detalles: Recipient phone number not in allowed list)",
    );
    expect(actionErrorText(t["pt-BR"], "pt-BR", { code: "templateFields", cause: reason("EMPTY_VARIABLE", { n: 1, field: "tracking_url" }) })).toBe(
      "Falta no pedido um dado de que o modelo precisa. A variável {{1}} (tracking_url) está vazia",
    );
    expect(actionErrorText(t.en, "en", { code: "somethingNew" })).toBe("Reload the page and try again.");
    expect(errorText(t.es, { key: "rateCardError.notRate", params: { row: "2", market: "Brazil", column: "Marketing", value: "abc" } })).toBe("Fila 2 (Brazil), Marketing: “abc” no es una tarifa.");
    expect(errorText(t.es, { key: "code.META_ERROR", params: { code: "100" }, detail: "Invalid parameter" })).toBe("WhatsApp rechazó el mensaje (error 100) (detalles: Invalid parameter)");
  });
});

describe("form errors are codes the pages word", () => {
  it("every message the automation and period schemas give has its catalogue sentence", () => {
    const automation = { trigger: "ORDER_CREATED", enabled: "on", templateName: "order_confirmation", mapping: [], delayMinutes: "0", secondReminderDelayMinutes: "" };
    const bad = [
      { templateName: "Bad Name" },
      { mapping: ["nope"] },
      { delayMinutes: "x" },
      { delayMinutes: "1.5" },
      { delayMinutes: "-1" },
      { delayMinutes: String(8 * 24 * 60) },
      { secondReminderDelayMinutes: "x" },
      { secondReminderDelayMinutes: "0" },
      { secondReminderDelayMinutes: String(15 * 24 * 60) },
      { delayMinutes: "60", secondReminderDelayMinutes: "30" },
    ];
    const messages = bad.flatMap((change) => automationFormSchema.safeParse({ ...automation, ...change }).error?.issues.map((i) => i.message) ?? ["accepted"]);
    expect(messages).toHaveLength(bad.length);
    for (const message of messages) expect(isMessageKey(`automationError.${message}`), message).toBe(true);
    const periods = [
      { from: "x", to: "2026-11-01" },
      { from: "2026-11-02", to: "2026-11-01" },
      { from: "2024-01-01", to: "2026-01-01" },
    ];
    for (const period of periods) for (const issue of periodSchema.safeParse(period).error!.issues) expect(isMessageKey(`costsError.${issue.message}`), issue.message).toBe(true);
  });
});

describe("Meta's codes named for the merchant", () => {
  it("quality ratings, messaging limits, categories and template statuses", () => {
    expect(["GREEN", "YELLOW", "RED", "NA", null].map((q) => qualityName(t.es, q))).toEqual(["Alta", "Media", "Baja", "Desconocido", "Desconocido"]);
    expect(messagingLimitName(t.es, "es", "TIER_2K")).toBe("2000 clientes cada 24 horas");
    expect(messagingLimitName(t.en, "en", "TIER_100K")).toBe("100,000 customers per 24 hours");
    expect(messagingLimitName(t["pt-BR"], "pt-BR", "TIER_UNLIMITED")).toBe("Sem limite");
    expect(messagingLimitName(t.en, "en", "TIER_WHATEVER")).toBe("Unknown");
    expect(["MARKETING", "utility", "AUTHENTICATION", "SERVICE", "NEW_ONE"].map((c) => categoryName(t.es, c))).toEqual(["Marketing", "Utilidad", "Autenticación", "Servicio", "Otra categoría"]);
    expect(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "SOMETHING"].map((s) => templateStatusName(t["pt-BR"], s))).toEqual([
      "Aprovado",
      "Em análise",
      "Rejeitado",
      "Pausado",
      "Desativado",
      "Outro status",
    ]);
  });

  it("WhatsApp language codes and countries by Intl.DisplayNames in the UI language", () => {
    expect(languageName("en", "en_US")).toBe("English (United States)");
    expect(languageName("es", "en_US")).toBe("Inglés (Estados Unidos)");
    expect(languageName("pt-BR", "pt_BR")).toBe("Português (Brasil)");
    expect(languageName("es", "es_MX")).toBe("Español (México)");
    expect(languageName("en", "es")).toBe("Spanish");
    expect(languageName("es", "pt_BR", true)).toBe("portugués (Brasil)");
    expect(regionName("es", "mx")).toBe("México");
    expect(regionName("pt-BR", "US")).toBe("Estados Unidos");
    expect(marketName(t.es, "es", "Brazil")).toBe("Brasil");
    expect(marketName(t["pt-BR"], "pt-BR", "Rest of Africa")).toBe("Resto da África");
    expect(marketName(t.es, "es", "Other")).toBe(t.es("costs.market.other"));
  });

  it("counts with the language's plural rules: no '1 orders'", () => {
    expect(plural(t.en, "en", "costs.orders", 1)).toBe("1 order with messages");
    expect(plural(t.en, "en", "costs.orders", 2)).toBe("2 orders with messages");
    expect(plural(t.es, "es", "costs.orders", 1)).toBe("1 pedido con mensajes");
    expect(plural(t.es, "es", "costs.orders", 1_000_000)).toBe("1.000.000 pedidos con mensajes");
    expect(plural(t["pt-BR"], "pt-BR", "templates.synced", 1)).toBe("1 modelo sincronizado do WhatsApp.");
    expect(plural(t["pt-BR"], "pt-BR", "costs.cart.recovered", 3, { revenue: "R$ 10,00" })).toBe("3 carrinhos recuperados, valendo R$ 10,00");
  });

  it("no catalogue value says a count in a plural form without its one form", () => {
    const counted = Object.entries(en).filter(([key, value]) => /\{count\}/.test(value) && !/\.(one|other)$/.test(key));
    // What is left reads right for one too ("{count} sent", "Handed to a person: {count}").
    for (const [key, value] of counted) expect(`${key}: ${value.replace("{count}", "1")}`).not.toMatch(/\b1 (messages|orders|templates|carts|customers|days|deliveries|recipients)\b/);
  });
});

describe("the untranslated-text check", () => {
  it("finds English sentences and raw codes in a page's text, and nothing in a Spanish one", () => {
    const page = `Calidad: GREEN\nLímite: TIER_2K\n${en["code.NO_CONSENT"]}\nPlantilla en_US · MARKETING`;
    expect(findUntranslated(page, "es")).toEqual(
      expect.arrayContaining([
        expect.stringContaining("GREEN"),
        expect.stringContaining("TIER_2K"),
        expect.stringContaining(en["code.NO_CONSENT"]),
        expect.stringContaining("en_US"),
        expect.stringContaining("MARKETING"),
      ]),
    );
    const spanish = [
      qualityName(t.es, "GREEN"),
      messagingLimitName(t.es, "es", "TIER_2K"),
      storedReasonText(t.es, "es", "NO_CONSENT"),
      languageName("es", "en_US"),
      categoryName(t.es, "MARKETING"),
    ].join("\n");
    expect(findUntranslated(spanish, "es")).toEqual([]);
  });
});
