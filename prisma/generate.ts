// Generates the Prisma client once per database provider, offline (`npm run
// db:generate`, run by `postinstall`). prisma/schema.prisma is the one schema
// (provider "sqlite"); a generated client is bound to its schema's provider, so
// the PostgreSQL client is generated from a copy that differs only in the
// datasource provider and the generator's output:
//   app/generated/prisma             SQLite     (from prisma/schema.prisma)
//   app/generated/prisma-postgresql  PostgreSQL (from app/generated/schema.postgresql.prisma, written here)
// app/core/db.server.ts picks one by DATABASE_URL. Both run on driver adapters, so
// no query engine binary is needed; PRISMA_SCHEMA_ENGINE_BINARY=/bin/false
// keeps `prisma generate` from looking for (or downloading) a schema engine.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { DatabaseProvider } from "../app/core/database-url";

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(prismaDir);
const schemaPath = path.join(prismaDir, "schema.prisma");

/** Where each provider's derived schema is written (the SQLite client is generated from prisma/schema.prisma itself). */
const derivedSchemaPath = (provider: DatabaseProvider) => path.join(root, "app", "generated", `schema.${provider}.prisma`);
/** Where each provider's client is generated. */
export const clientDirFor = (provider: DatabaseProvider) => path.join(root, "app", "generated", provider === "sqlite" ? "prisma" : `prisma-${provider}`);

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`)) ?? [];
  if (matches.length !== 1) throw new Error(`prisma/schema.prisma: expected exactly one ${what}, found ${matches.length}`);
  return text.replace(pattern, replacement);
}

/**
 * prisma/schema.prisma for `provider`. With `outputDir`, the generator writes
 * there (relative to the derived schema file at `schemaFile`).
 */
export function schemaFor(provider: DatabaseProvider, generate?: { schemaFile: string; outputDir: string }): string {
  let schema = readFileSync(schemaPath, "utf8");
  if (provider !== "sqlite") schema = replaceOnce(schema, /provider\s*=\s*"sqlite"/, `provider = "${provider}"`, 'provider = "sqlite"');
  if (generate) {
    const relative = path.relative(path.dirname(generate.schemaFile), generate.outputDir).split(path.sep).join("/");
    const output = relative.startsWith(".") ? relative : `./${relative}`;
    schema = replaceOnce(schema, /output\s*=\s*"[^"]*"/, `output = "${output}"`, "generator output");
    schema = `// Written by prisma/generate.ts from prisma/schema.prisma for ${provider}: do not edit.\n${schema}`;
  }
  return schema;
}

function prismaGenerate(args: string[]): void {
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const result = spawnSync(process.execPath, [cli, "generate", ...args], {
    cwd: root,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error(`prisma generate ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}

export function generateClients(): void {
  // SQLite: the schema as written (prisma.config.ts names it).
  prismaGenerate([]);
  // PostgreSQL: the derived schema.
  const schemaFile = derivedSchemaPath("postgresql");
  mkdirSync(path.dirname(schemaFile), { recursive: true });
  writeFileSync(schemaFile, schemaFor("postgresql", { schemaFile, outputDir: clientDirFor("postgresql") }));
  prismaGenerate(["--schema", path.relative(root, schemaFile)]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    generateClients();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
