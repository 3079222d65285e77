// The collaborators domain functions take as arguments instead of importing
// them, so tests and the sandbox hand in their own (services.server.ts builds
// the process's).
import type { WhatsAppClient } from "../whatsapp/client.server";
import type { AppConfig } from "./config.server";
import type { Db } from "./db.server";

export interface AppDeps {
  db: Db;
  config: AppConfig;
  /** A Graph API client without a token (graphClient(config)); each call names the account's. */
  graph: WhatsAppClient;
  /** In the worker, its lease (jobs/leases.server.ts): rows it claims name it, and are taken back soon after it dies. */
  leaseId?: string;
}
