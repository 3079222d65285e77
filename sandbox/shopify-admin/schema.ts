// Shopify's Admin GraphQL schema, offline: the introspection result Shopify
// ships in the npm package @shopify/dev-mcp (dist/data/admin_<version>.json.gz).
// The Admin simulator validates and executes requests on it, codegen types the
// app's operations from it (codegen.ts), and a test validates every operation
// in app/ against it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

import { ADMIN_API_VERSION } from "../../app/shopify/admin/endpoint.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function adminSchemaFile(version: string = ADMIN_API_VERSION): string {
  return path.join(root, "node_modules", "@shopify", "dev-mcp", "dist", "data", `admin_${version}.json.gz`);
}

const schemas = new Map<string, GraphQLSchema>();

export function adminSchema(version: string = ADMIN_API_VERSION): GraphQLSchema {
  let schema = schemas.get(version);
  if (!schema) {
    const introspection = JSON.parse(gunzipSync(readFileSync(adminSchemaFile(version))).toString("utf8")) as { data: IntrospectionQuery };
    schema = buildClientSchema(introspection.data);
    schemas.set(version, schema);
  }
  return schema;
}
