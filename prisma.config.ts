// Prisma CLI configuration. Only `prisma generate` uses the CLI here, through
// prisma/generate.ts: once with this schema (the SQLite client) and once with
// --schema for the PostgreSQL copy it derives. Migrations run through the wasm
// schema engine (prisma/migrate.ts) so nothing is downloaded.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
