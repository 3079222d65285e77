// The part of Shopify's segment query language (ShopifyQL's WHERE clause) the
// simulator evaluates: conditions joined by AND over tags, countries, order
// count, spend, last order date, SMS consent and language. Anything else is an
// error naming its column, as Shopify reports a query it cannot read, never a
// condition quietly dropped.
import { SMS_STATES, type SimCustomer } from "./store";

/** What a condition reads of a customer: the record and its order facts. */
export interface MemberFacts {
  customer: SimCustomer;
  numberOfOrders: number;
  amountSpentCents: number;
  lastOrderAt: string | null;
}

export class SegmentQueryError extends Error {}

type Token = { text: string; column: number; kind: "string" | "operator" | "word" | "literal" };
type Test = (facts: MemberFacts) => boolean;

const TOKEN = /\s*(?:('(?:[^'\\]|\\.)*')|(>=|<=|!=|=|>|<)|([A-Za-z_][A-Za-z0-9_]*)|(-?\d[\w.:-]*)|(\S))/y;

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (TOKEN.lastIndex < query.length && (match = TOKEN.exec(query))) {
    const text = match[0].trimStart();
    if (!text) break;
    const column = match.index + match[0].length - text.length;
    if (match[5]) throw new SegmentQueryError(`Line 1 Column ${column}: unexpected '${text}'.`);
    tokens.push({ text, column, kind: match[1] ? "string" : match[2] ? "operator" : match[3] ? "word" : "literal" });
  }
  return tokens;
}

const COMPARISONS = ["=", "!=", ">", ">=", "<", "<="];
function compare(a: number | string, op: string, b: number | string): boolean {
  if (op === "=") return a === b;
  if (op === "!=") return a !== b;
  if (op === ">") return a > b;
  if (op === ">=") return a >= b;
  if (op === "<") return a < b;
  return a <= b;
}

/** `YYYY-MM-DD`, or an offset from today (`-90d`, `-4w`, `-6m`, `-1y`), as a day in the query's time zone. */
function dayValue(text: string, today: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text))) return text;
  const offset = /^-(\d+)([dwmy])$/.exec(text);
  if (!offset) return null;
  const n = Number(offset[1]);
  const day = new Date(`${today}T00:00:00Z`);
  if (offset[2] === "d") day.setUTCDate(day.getUTCDate() - n);
  if (offset[2] === "w") day.setUTCDate(day.getUTCDate() - 7 * n);
  if (offset[2] === "m") day.setUTCMonth(day.getUTCMonth() - n);
  if (offset[2] === "y") day.setUTCFullYear(day.getUTCFullYear() - n);
  return day.toISOString().slice(0, 10);
}

const unquote = (token: Token) => token.text.slice(1, -1).replace(/\\(.)/g, "$1");

/**
 * Compiles a segment query into a test over a customer. `timeZone` places
 * dates on days (customerSegmentMembers' `timezone`, UTC by default).
 */
export function compileSegmentQuery(query: string, timeZone = "UTC", now = new Date()): Test {
  let dayOf: (at: Date) => string;
  try {
    const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayOf = (at) => format.format(at);
  } catch {
    throw new SegmentQueryError(`'${timeZone}' is not a valid timezone.`);
  }
  const today = dayOf(now);
  const tokens = tokenize(query);
  if (!tokens.length) throw new SegmentQueryError("Line 1 Column 0: the query has no condition.");
  const tests: Test[] = [];
  let at = 0;
  const next = (what: string): Token => {
    const token = tokens[at++];
    if (!token) throw new SegmentQueryError(`Line 1 Column ${query.length}: ${what} expected.`);
    return token;
  };
  for (;;) {
    const attribute = next("a filter");
    if (attribute.kind !== "word") throw new SegmentQueryError(`Line 1 Column ${attribute.column}: unexpected '${attribute.text}'.`);
    const operator = next("an operator");
    let op = operator.text.toUpperCase();
    if (op === "NOT" && tokens[at]?.text.toUpperCase() === "CONTAINS") op = `NOT ${next("CONTAINS").text.toUpperCase()}`;
    const value = next("a value");
    const invalidOperator = () => new SegmentQueryError(`Line 1 Column ${operator.column}: '${operator.text}' is not a valid operator for '${attribute.text}'.`);
    const invalidValue = () => new SegmentQueryError(`Line 1 Column ${value.column}: '${value.text}' is not a valid value for '${attribute.text}'.`);
    const text = () => {
      if (value.kind !== "string") throw invalidValue();
      return unquote(value);
    };
    switch (attribute.text) {
      case "customer_tags":
      case "customer_countries": {
        if (op !== "CONTAINS" && op !== "NOT CONTAINS") throw invalidOperator();
        const wanted = text().toLowerCase();
        const has =
          attribute.text === "customer_tags" ? (f: MemberFacts) => f.customer.tags.some((t) => t.toLowerCase() === wanted) : (f: MemberFacts) => f.customer.countryCode?.toLowerCase() === wanted;
        tests.push(op === "CONTAINS" ? has : (f) => !has(f));
        break;
      }
      case "number_of_orders":
      case "amount_spent": {
        if (!COMPARISONS.includes(op)) throw invalidOperator();
        if (value.kind !== "literal" || !/^\d+(\.\d+)?$/.test(value.text) || (attribute.text === "number_of_orders" && value.text.includes("."))) throw invalidValue();
        const n = Number(value.text);
        tests.push(attribute.text === "number_of_orders" ? (f) => compare(f.numberOfOrders, op, n) : (f) => compare(f.amountSpentCents, op, Math.round(n * 100)));
        break;
      }
      case "last_order_date": {
        if (!COMPARISONS.includes(op)) throw invalidOperator();
        const day = value.kind === "literal" ? dayValue(value.text, today) : null;
        if (!day) throw invalidValue();
        tests.push((f) => f.lastOrderAt !== null && compare(dayOf(new Date(f.lastOrderAt)), op, day));
        break;
      }
      case "sms_subscription_status":
      case "customer_language": {
        if (op !== "=" && op !== "!=") throw invalidOperator();
        const wanted = text();
        if (attribute.text === "sms_subscription_status" && !SMS_STATES.some((s) => s === wanted)) throw invalidValue();
        const is = attribute.text === "sms_subscription_status" ? (f: MemberFacts) => f.customer.smsState === wanted : (f: MemberFacts) => f.customer.locale?.toLowerCase() === wanted.toLowerCase();
        tests.push(op === "=" ? is : (f) => !is(f));
        break;
      }
      default:
        throw new SegmentQueryError(`Line 1 Column ${attribute.column}: '${attribute.text}' filter cannot be found.`);
    }
    const joint = tokens[at++];
    if (!joint) break;
    if (joint.text.toUpperCase() !== "AND") throw new SegmentQueryError(`Line 1 Column ${joint.column}: unexpected '${joint.text}'; the simulator joins conditions with AND only.`);
  }
  return (facts) => tests.every((test) => test(facts));
}
