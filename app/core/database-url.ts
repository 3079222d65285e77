// DATABASE_URL conventions shared by the app and the migration tool.
import path from "node:path";

export type DatabaseProvider = "sqlite" | "postgresql";

export function providerOf(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgresql";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (got "${databaseUrl.split(":")[0]}:")`);
}

/** A SQLite DATABASE_URL's file; relative paths are taken from the working directory (the project root). */
export function sqliteFilePath(databaseUrl: string): string {
  const raw = databaseUrl.replace(/^file:/, "").split("?")[0] ?? "";
  return path.resolve(raw);
}
