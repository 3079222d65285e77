// Prisma CLI configuration. Only `prisma generate` uses the CLI here; migrations
// run through the wasm schema engine (prisma/migrate.ts) so nothing is downloaded.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
