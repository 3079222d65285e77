// The process-wide collaborators domain functions take as arguments, built
// once from the configuration (tests build their own).
import { config } from "./core/config.server";
import { db } from "./core/db.server";
import type { SignupDeps } from "./whatsapp/signup.server";
import { graphClient } from "./whatsapp/client.server";

export function signupDeps(): SignupDeps {
  return { db: db(), config: config(), graph: graphClient(config()) };
}
