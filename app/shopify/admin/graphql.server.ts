// Shopify Admin GraphQL, one way for every caller: operations typed by codegen
// from Shopify's own schema (codegen.ts), Shopify's cost-based throttling
// waited out, 5xx and network failures retried, a revoked token reported as
// AdminAuthError. The transport differs: `admin.graphql` inside a request
// (remixTransport), graphql-request with the shop's offline token outside one
// (client.server.ts).
import type { AdminOperations } from "@shopify/admin-api-client";
import { GraphqlQueryError } from "@shopify/shopify-api";
import { ClientError, GraphQLClient } from "graphql-request";

import type {} from "../../generated/shopify-admin/admin.generated";

type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
/** An operation codegen knows (a `#graphql` literal in app/); any other string is a type error. */
export type AdminOperation = KnownKeys<AdminOperations> & string;
export type AdminData<Q extends AdminOperation> = AdminOperations[Q]["return"];
export type AdminVariables<Q extends AdminOperation> = AdminOperations[Q]["variables"];

interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** A GraphQL response as Shopify sends it (HTTP 200). */
export interface AdminResult {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: { requestedQueryCost?: number; throttleStatus?: ThrottleStatus } };
}

/** Sends one operation; throws AdminHttpError for an HTTP failure (status 0: no answer). */
export type AdminTransport = (query: string, variables: Record<string, unknown> | undefined) => Promise<AdminResult>;

export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "AdminHttpError";
  }
}

/** The shop's token was refused (uninstalled, or access revoked): the merchant must open the app again. */
export class AdminAuthError extends Error {
  constructor(readonly shop: string) {
    super(`Shopify refused the access token of ${shop}; the app must be opened again to re-authorize`);
    this.name = "AdminAuthError";
  }
}

/** Shopify answered with GraphQL errors (a query the schema refuses, a missing resource…). */
export class AdminGraphqlError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(`Shopify Admin API: ${errors.map((e) => e.message).join("; ")}`);
    this.name = "AdminGraphqlError";
  }
}

/** Runs a codegen-typed operation; variables may be left out when the operation takes none. */
export type AdminGraphql = <Q extends AdminOperation>(query: Q, ...variables: Record<string, never> extends AdminVariables<Q> ? [AdminVariables<Q>?] : [AdminVariables<Q>]) => Promise<AdminData<Q>>;

export interface AdminGraphqlOptions {
  shop: string;
  sleep?: (ms: number) => Promise<void>;
  /** HTTP failures (5xx, 429, no answer) retried this many times, backing off from 500 ms. */
  retries?: number;
  /** Called once when Shopify refuses the token (401). */
  onAuthLost?: (shop: string) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MAX_THROTTLE_WAIT_MS = 60_000;

/** How long until the bucket holds what the query asked for, from Shopify's own throttle status. */
export function throttleWaitMs(result: AdminResult): number {
  const cost = result.extensions?.cost;
  const status = cost?.throttleStatus;
  if (!status || !(status.restoreRate > 0)) return 1000;
  const missing = (cost?.requestedQueryCost ?? status.maximumAvailable / 10) - status.currentlyAvailable;
  return Math.min(MAX_THROTTLE_WAIT_MS, Math.max(50, Math.ceil((missing / status.restoreRate) * 1000)));
}

export function adminGraphql(transport: AdminTransport, options: AdminGraphqlOptions): AdminGraphql {
  const sleep = options.sleep ?? defaultSleep;
  const retries = options.retries ?? 4;
  return (async (query: string, variables?: Record<string, unknown>) => {
    let failures = 0;
    for (;;) {
      let result: AdminResult;
      try {
        result = await transport(query, variables);
      } catch (error) {
        if (!(error instanceof AdminHttpError)) throw error;
        if (error.status === 401) {
          await options.onAuthLost?.(options.shop);
          throw new AdminAuthError(options.shop);
        }
        const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
        if (!retryable || failures >= retries) throw error;
        await sleep(500 * 2 ** failures++);
        continue;
      }
      const errors = result.errors ?? [];
      if (errors.some((e) => e.extensions?.code === "THROTTLED")) {
        await sleep(throttleWaitMs(result));
        continue;
      }
      if (errors.length > 0 || result.data === undefined || result.data === null) throw new AdminGraphqlError(errors.length ? errors : [{ message: "no data" }]);
      return result.data;
    }
  }) as unknown as AdminGraphql;
}

interface RemixAdmin {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

/**
 * `admin.graphql` from authenticate.admin (or the install hook) as a transport.
 * The library throws on GraphQL errors (THROTTLED included); their body goes
 * back to adminGraphql, which waits or reports. Authentication failures stay
 * the library's to handle (it sends the merchant through re-authorization).
 */
export function remixTransport(admin: RemixAdmin): AdminTransport {
  return async (query, variables) => {
    try {
      return (await (await admin.graphql(query, { variables })).json()) as AdminResult;
    } catch (error) {
      if (error instanceof GraphqlQueryError) {
        const body = error.body as { data?: unknown; errors?: { graphQLErrors?: AdminResult["errors"] }; extensions?: AdminResult["extensions"] } | undefined;
        return { data: body?.data, errors: body?.errors?.graphQLErrors ?? [{ message: error.message }], extensions: body?.extensions };
      }
      throw error;
    }
  };
}

/** graphql-request as an Admin transport: GraphQL errors come back as data, HTTP failures as AdminHttpError. */
export function requestTransport(url: string, accessToken: string): AdminTransport {
  const client = new GraphQLClient(url, { headers: { "X-Shopify-Access-Token": accessToken }, errorPolicy: "all" });
  return async (query, variables) => {
    try {
      const result = await client.rawRequest<unknown>(query, variables);
      return { data: result.data, errors: result.errors as never, extensions: result.extensions as never };
    } catch (error) {
      if (error instanceof ClientError) throw new AdminHttpError(error.response.status, `Shopify Admin API answered HTTP ${error.response.status}`);
      throw new AdminHttpError(0, `Shopify Admin API did not answer: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
