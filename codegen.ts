// `npm run graphql:codegen`: types for every Admin GraphQL operation in app/
// (`#graphql` template literals), from Shopify's own schema shipped offline in
// @shopify/dev-mcp, with Shopify's codegen preset. Output goes to
// app/generated/shopify-admin (not committed; postinstall and typecheck write it):
// admin.generated.d.ts types `admin.graphql` inside a request and
// app/shopify/admin/client.server.ts outside one.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

import type { CodegenConfig } from "@graphql-codegen/cli";
import { ApiType, pluckConfig, shopifyApiTypes } from "@shopify/api-codegen-preset";

import { ADMIN_API_VERSION } from "./app/shopify/admin/endpoint.server";
import { adminSchemaFile } from "./sandbox/shopify-admin/schema";

const outputDir = "./app/generated/shopify-admin";
mkdirSync(outputDir, { recursive: true });
// The preset reads the schema from this file when it exists instead of fetching it from shopify.dev.
writeFileSync(`${outputDir}/admin-${ADMIN_API_VERSION}.schema.json`, JSON.stringify(JSON.parse(gunzipSync(readFileSync(adminSchemaFile())).toString("utf8")).data));

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  // Shopify's pluck options find `#graphql` literals; graphql-tools accepts them, codegen's type does not list them.
  pluckConfig: pluckConfig as CodegenConfig["pluckConfig"],
  generates: shopifyApiTypes({
    apiType: ApiType.Admin,
    apiVersion: ADMIN_API_VERSION,
    outputDir,
    documents: ["./app/**/*.{ts,tsx}", "!./app/generated/**"],
  }),
};

export default config;
