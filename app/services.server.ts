// The process-wide collaborators domain functions take as arguments, built
// once from the configuration (tests build their own).
import { config } from "./core/config.server";
import { db } from "./core/db.server";
import { graphClient } from "./whatsapp/client.server";
import type { AppDeps } from "./core/deps";

export function appDeps(): AppDeps {
  return { db: db(), config: config(), graph: graphClient(config()) };
}
