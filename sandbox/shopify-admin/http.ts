// What the Admin simulator's routes share: the reply, and the simulator's
// store, options and webhook delivery handed to every route.
import type { z } from "zod";

import type { BulkOperations } from "./bulk";
import type { ShopifySimulator, ShopifySimulatorOptions } from "./server";
import type { SimStore } from "./store";

export type Reply = { status: number; body: unknown; contentType?: string };

export const json = (status: number, body: unknown): Reply => ({ status, body });

/** A control request that does not validate: 400, each problem naming its field. */
export const invalid = (error: z.ZodError): Reply => json(400, { errors: error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })) });

export interface ShopifyContext {
  options: ShopifySimulatorOptions;
  store: SimStore;
  calls: ShopifySimulator["calls"];
  bulk: BulkOperations;
  /** Delivers a signed webhook to the app, when it has a URL. */
  webhook(shop: string, topic: string, body: unknown): Promise<{ delivered: boolean }>;
}
