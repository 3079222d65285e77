// The Shopify simulator's customers and segments: 5,000 customers seeded through
// the control API (and a few named by orders), read back over real HTTP through
// customerSegmentMembers with ShopifyQL segment queries, as campaign audiences
// are read, and checked against an independent filter of the seeded data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_API_VERSION } from "../app/shopify/admin/endpoint.server";
import { DEMO_SHOP, sandboxOfflineToken } from "../sandbox/seed";
import { startShopifySimulator, type ShopifySimulator } from "../sandbox/shopify-admin/server";

const DAY_MS = 24 * 60 * 60 * 1000;
const COUNTRIES = ["BR", "MX", "AR", "CO", "US", null] as const;
const LOCALES = ["pt-BR", "es", "en", null] as const;
const SMS = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"] as const;
const PHONES = [(i: number) => `+55119${String(10_000_000 + i)}`, (i: number) => `(11) 9${String(1000 + (i % 9000))}-${String(1000 + (i % 8999))}`, () => "12345", () => null];

interface Seeded {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  countryCode: string | null;
  locale: string | null;
  tags: string[];
  smsMarketingState: (typeof SMS)[number];
  numberOfOrders: number;
  amountSpent: string;
  lastOrderAt: string | null;
}

/** Deterministic mixed customers: countries, tags, orders, spend, phones (E.164, national, invalid, none), consent. */
function seedCustomers(count: number): Seeded[] {
  let state = 42;
  const random = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    // The high bits: a power-of-two LCG's low bits repeat with a short period.
    return Math.floor((state / 2_147_483_648) * n);
  };
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: count }, (_, i) => {
    const orders = random(8);
    const tags = ["vip", "wholesale", "newsletter", "VIP-2025"].filter(() => random(3) === 0);
    return {
      id: 100_001 + i,
      firstName: `Cliente${i}`,
      lastName: i % 7 === 0 ? "" : "Silva",
      email: i % 5 === 0 ? null : `cliente${i}@example.com`,
      phone: PHONES[random(PHONES.length)]!(i),
      countryCode: COUNTRIES[random(COUNTRIES.length)]!,
      locale: LOCALES[random(LOCALES.length)]!,
      tags,
      smsMarketingState: SMS[random(SMS.length)]!,
      numberOfOrders: orders,
      amountSpent: orders ? `${random(150_000) / 100}`.replace(/^(\d+)$/, "$1.00") : "0.00",
      lastOrderAt: orders ? new Date(today - random(400) * DAY_MS + 12 * 3600 * 1000).toISOString() : null,
    };
  });
}

interface Member {
  id: string;
  [field: string]: unknown;
}
interface MembersPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Member }[];
}

const cents = (amount: string) => Math.round(Number(amount) * 100);
const day = (iso: string) => iso.slice(0, 10);
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);

describe("Shopify simulator: customers, segments and customerSegmentMembers", () => {
  let shopify: ShopifySimulator;
  const seeded = seedCustomers(5000);

  const graphql = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${shopify.url}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": sandboxOfflineToken(DEMO_SHOP) },
      body: JSON.stringify({ query, variables }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { data: T | null; errors?: { message: string }[]; extensions?: { cost: { requestedQueryCost: number } } };
  };
  const control = (what: string, body: unknown) => fetch(`${shopify.url}/_sim/shopify/${what}`, { method: "POST", body: JSON.stringify(body) });

  const MEMBERS = `query Members($query: String, $segmentId: ID, $first: Int!, $after: String) {
    customerSegmentMembers(first: $first, after: $after, query: $query, segmentId: $segmentId) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id firstName lastName displayName numberOfOrders lastOrderId
        defaultEmailAddress { emailAddress }
        defaultPhoneNumber { phoneNumber marketingState }
        defaultAddress { countryCodeV2 }
        amountSpent { amount currencyCode }
      } }
    }
  }`;

  /** Every member of a query or segment, page by page. */
  const allMembers = async (args: { query?: string; segmentId?: string }, first: number) => {
    const ids: number[] = [];
    const nodes: Member[] = [];
    let after: string | null = null;
    let pages = 0;
    let totalCount = -1;
    for (;;) {
      const answer: { data: { customerSegmentMembers: MembersPage } | null; errors?: unknown } = await graphql<{ customerSegmentMembers: MembersPage }>(MEMBERS, { ...args, first, after });
      expect(answer.errors).toBeUndefined();
      const page: MembersPage = answer.data!.customerSegmentMembers;
      totalCount = page.totalCount;
      pages++;
      for (const edge of page.edges) {
        ids.push(Number(/^gid:\/\/shopify\/CustomerSegmentMember\/(\d+)$/.exec(edge.node.id)![1]));
        nodes.push(edge.node);
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids, nodes, pages, totalCount };
  };

  /** The customers placed through orders, not seeded: facts come from their orders only. */
  const orderCustomers = [
    { id: 200_001, phone: "+5521999990001", totals: ["300.00", "250.00"], cancelled: [false, false] },
    { id: 200_002, phone: "21 99999-0002", totals: ["900.00", "80.00"], cancelled: [false, true] },
  ];

  beforeAll(async () => {
    shopify = await startShopifySimulator({
      apiKey: "key",
      apiSecret: "secret",
      scopes: "read_customers",
      shops: [{ domain: DEMO_SHOP, accessToken: sandboxOfflineToken(DEMO_SHOP), facts: { currencyCode: "BRL" } }],
    });
    const response = await control("customers", { shop: DEMO_SHOP, customers: seeded });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ count: 5000 });
    for (const c of orderCustomers) {
      for (const [i, total] of c.totals.entries()) {
        const order = {
          id: c.id * 10 + i,
          created_at: new Date(Date.now() - (10 - i) * DAY_MS).toISOString(),
          total_price: total,
          currency: "BRL",
          ...(c.cancelled[i] ? { cancelled_at: new Date().toISOString() } : {}),
          customer: {
            id: c.id,
            first_name: "Pedido",
            last_name: String(c.id),
            phone: c.phone,
            locale: "pt-BR",
            default_address: { country_code: "BR" },
            sms_marketing_consent: { state: "subscribed" },
          },
        };
        expect((await control("orders", { shop: DEMO_SHOP, order, webhook: false })).status).toBe(200);
      }
    }
  });
  afterAll(async () => {
    await shopify?.close();
  });

  it("pages a ShopifyQL query 1,000 at a time: the members an independent filter finds, none twice, none missing, and within the cost limit", async () => {
    const query = "customer_countries CONTAINS 'BR' AND number_of_orders >= 2 AND sms_subscription_status = 'SUBSCRIBED'";
    const expected = seeded.filter((c) => c.countryCode === "BR" && c.numberOfOrders >= 2 && c.smsMarketingState === "SUBSCRIBED").map((c) => c.id);
    // Both order customers are Brazilian, subscribed, with two orders each.
    expected.push(200_001, 200_002);
    const members = await allMembers({ query }, 1000);
    expect(expected.length).toBeGreaterThan(50);
    expect(members.totalCount).toBe(expected.length);
    expect(new Set(members.ids).size).toBe(members.ids.length);
    expect(members.ids).toEqual([...expected].sort((a, b) => a - b));

    const everyone = await allMembers({ query: "number_of_orders >= 0" }, 1000);
    expect(everyone.pages).toBe(6);
    expect(everyone.totalCount).toBe(5002);
    expect(new Set(everyone.ids).size).toBe(5002);
    const cost = await graphql(MEMBERS, { query: "number_of_orders >= 0", first: 1000 });
    expect(cost.extensions!.cost.requestedQueryCost).toBeLessThanOrEqual(1000);
  });

  it("reads each member as Shopify describes it: phone as typed with its SMS state, country, order facts", async () => {
    const { nodes } = await allMembers({ query: "number_of_orders >= 0" }, 1000);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    for (const c of seeded.slice(0, 200)) {
      const node = byId.get(`gid://shopify/CustomerSegmentMember/${c.id}`)!;
      expect(node).toMatchObject({
        firstName: c.firstName,
        displayName: [c.firstName, c.lastName].filter(Boolean).join(" "),
        numberOfOrders: String(c.numberOfOrders),
        amountSpent: { amount: (cents(c.amountSpent) / 100).toFixed(2), currencyCode: "BRL" },
        defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
        defaultPhoneNumber: c.phone ? { phoneNumber: c.phone, marketingState: c.smsMarketingState } : null,
        defaultAddress: c.countryCode ? { countryCodeV2: c.countryCode } : null,
      });
    }
    expect(seeded.slice(0, 200).some((c) => c.phone === "12345")).toBe(true);
    expect(byId.get("gid://shopify/CustomerSegmentMember/200002")).toMatchObject({
      numberOfOrders: "2",
      amountSpent: { amount: "900.00" },
      lastOrderId: "gid://shopify/Order/2000021",
      defaultPhoneNumber: { phoneNumber: "21 99999-0002", marketingState: "SUBSCRIBED" },
      defaultAddress: { countryCodeV2: "BR" },
    });
  });

  it("saves a segment, lists it, and reads its members by id over tags, spend and a relative last-order date", async () => {
    const query = "customer_tags CONTAINS 'vip' AND amount_spent >= 500 AND last_order_date > -90d";
    const saved = await control("segments", { shop: DEMO_SHOP, name: "VIP recientes", query });
    expect(saved.status).toBe(200);
    const { id } = (await saved.json()) as { id: string };
    expect(id).toMatch(/^gid:\/\/shopify\/Segment\/\d+$/);
    expect((await control("segments", { shop: DEMO_SHOP, name: "VIP recientes", query })).status).toBe(400);

    const listed = await graphql<{ segments: { edges: { node: unknown }[] } }>("{ segments(first: 50) { edges { node { id name query creationDate lastEditDate } } } }");
    expect(listed.data!.segments.edges.map((e) => e.node)).toEqual([{ id, name: "VIP recientes", query, creationDate: expect.any(String), lastEditDate: expect.any(String) }]);
    expect((await graphql<{ segment: unknown }>(`{ segment(id: "${id}") { name query } }`)).data!.segment).toEqual({ name: "VIP recientes", query });

    const since = daysAgo(90);
    const expected = seeded.filter((c) => c.tags.includes("vip") && cents(c.amountSpent) >= 50_000 && c.lastOrderAt !== null && day(c.lastOrderAt) > since).map((c) => c.id);
    const members = await allMembers({ segmentId: id }, 40);
    expect(expected.length).toBeGreaterThan(40);
    expect(members.pages).toBe(Math.ceil(expected.length / 40));
    expect(members.ids).toEqual(expected);
  });

  it("filters on language, an absolute date and order counts below a number", async () => {
    const query = "customer_language = 'es' AND last_order_date > 2026-01-01 AND number_of_orders < 3";
    const expected = seeded.filter((c) => c.locale === "es" && c.lastOrderAt !== null && day(c.lastOrderAt) > "2026-01-01" && c.numberOfOrders < 3).map((c) => c.id);
    const members = await allMembers({ query }, 1000);
    expect(members.ids).toEqual(expected);
  });

  it("answers a query it cannot read, or a page over 1,000, with an error, never every customer", async () => {
    for (const [query, message] of [
      ["customer_tags CONTAINS 'vip' OR number_of_orders > 1", /^Line 1 Column 29: unexpected 'OR'/],
      ["favourite_colour = 'blue'", /^Line 1 Column 0: 'favourite_colour' filter cannot be found\.$/],
      ["number_of_orders >= 'many'", /^Line 1 Column 20: ''many'' is not a valid value for 'number_of_orders'\.$/],
      ["customer_tags = 'vip'", /^Line 1 Column 14: '=' is not a valid operator for 'customer_tags'\.$/],
      ["", /no condition/],
    ] as const) {
      const answer = await graphql(MEMBERS, { query, first: 10 });
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0]?.message).toMatch(message);
    }
    const tooMany = await graphql(MEMBERS, { query: "number_of_orders >= 0", first: 1001 });
    expect(tooMany.data).toBeNull();
    expect(tooMany.errors?.[0]?.message).toContain("maximum page size is 1000");
    const unknownSegment = await graphql(MEMBERS, { segmentId: "gid://shopify/Segment/1", first: 10 });
    expect(unknownSegment.errors?.[0]?.message).toBe("Segment does not exist");
  });

  it("refuses bad control requests with a 400 naming the field, changing nothing", async () => {
    const bad = await control("customers", {
      shop: DEMO_SHOP,
      customers: [
        { ...seeded[0], firstName: "Changed" },
        { id: 9, countryCode: "Brazil" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(["customers.1.countryCode"]);
    const badSegment = await control("segments", { shop: DEMO_SHOP, name: "Broken", query: "customer_tags CONTAINS" });
    expect(badSegment.status).toBe(400);
    expect(((await badSegment.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("query");
    const first = await graphql<{ customer: { firstName: string } }>(`{ customer(id: "gid://shopify/Customer/${seeded[0]!.id}") { firstName } }`);
    expect(first.data!.customer.firstName).toBe(seeded[0]!.firstName);
  });

  it("customer(id:) still reads the tags the merchant set and the lifetime spend", async () => {
    const c = seeded.find((s) => s.numberOfOrders > 0)!;
    expect((await control("customers", { shop: DEMO_SHOP, id: c.id, tags: ["VIP", "atacado"] })).status).toBe(200);
    const read = async (id: number) =>
      (await graphql<{ customer: unknown }>(`{ customer(id: "gid://shopify/Customer/${id}") { tags amountSpent { amount currencyCode } numberOfOrders } }`)).data!.customer;
    expect(await read(c.id)).toEqual({ tags: ["VIP", "atacado"], amountSpent: { amount: (cents(c.amountSpent) / 100).toFixed(2), currencyCode: "BRL" }, numberOfOrders: String(c.numberOfOrders) });
    expect(await read(200_002)).toEqual({ tags: [], amountSpent: { amount: "900.00", currencyCode: "BRL" }, numberOfOrders: "2" });
    expect(await read(999_999)).toBeNull();
    // The tags are the member's too: a segment over them sees the change.
    expect((await allMembers({ query: "customer_tags CONTAINS 'atacado'" }, 10)).ids).toEqual([c.id]);
  });
});
