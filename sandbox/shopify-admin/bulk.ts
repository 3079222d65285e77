// Bulk exports (bulkOperationRunQuery): each runs a moment after it is
// started, its JSONL served under /_sim/shopify/bulk/; a shop sees only its own.
import type { GraphQLSchema } from "graphql";

import { prepare, run } from "./graphql";
import type { SimShop, SimStore } from "./store";

/** A bulk export runs this long after it is started. */
const BULK_DELAY_MS = 300;

interface BulkOperation {
  id: string;
  shop: string;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED";
  lines: string[];
  createdAt: string;
}

/** `selfUrl` is the simulator's origin, known once it listens. */
export function createBulkOperations(store: SimStore, selfUrl: () => string) {
  const operations = new Map<string, BulkOperation>();
  let seq = 0;
  const view = (op: BulkOperation) => ({
    __typename: "BulkOperation",
    id: op.id,
    status: op.status,
    errorCode: op.status === "FAILED" ? "INTERNAL_SERVER_ERROR" : null,
    objectCount: String(op.lines.length),
    rootObjectCount: String(op.lines.length),
    createdAt: op.createdAt,
    url: op.status === "COMPLETED" && op.lines.length > 0 ? `${selfUrl()}/_sim/shopify/bulk/${encodeURIComponent(op.id)}.jsonl` : null,
  });
  return {
    /** bulkOperationRunQuery's payload. */
    start(schema: GraphQLSchema, shop: SimShop, query: string) {
      const prepared = prepare(schema, query, {});
      if (prepared.kind === "errors") return { bulkOperation: null, userErrors: prepared.errors.map((e) => ({ code: "INVALID", field: ["query"], message: e.message })) };
      const op: BulkOperation = { id: `gid://shopify/BulkOperation/${++seq}`, shop: shop.domain, status: "CREATED", lines: [], createdAt: new Date().toISOString() };
      operations.set(op.id, op);
      setTimeout(() => {
        operations.set(op.id, { ...op, status: "RUNNING" });
        run(schema, store, shop, prepared.document, {}, undefined, { emit: () => undefined, bulkRun: () => null, bulkOperation: () => null })
          .then((result) => {
            const root = Object.values(result.data ?? {})[0] as { edges?: { node: unknown }[] } | undefined;
            operations.set(op.id, { ...op, status: "COMPLETED", lines: (root?.edges ?? []).map((edge) => JSON.stringify(edge.node)) });
          })
          .catch(() => operations.set(op.id, { ...op, status: "FAILED" }));
      }, BULK_DELAY_MS);
      return { bulkOperation: view(op), userErrors: [] };
    },
    /** The shop's operation with this id, as the API shows it; another shop's is not found. */
    find(id: string, shop: string) {
      const op = operations.get(id);
      return op && op.shop === shop ? view(op) : null;
    },
    /** A completed export's JSONL. */
    jsonl(id: string): string | undefined {
      const op = operations.get(id);
      return op?.status === "COMPLETED" ? op.lines.join("\n") + "\n" : undefined;
    },
  };
}

export type BulkOperations = ReturnType<typeof createBulkOperations>;
