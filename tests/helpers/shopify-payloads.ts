// The payload builders live with the sandbox (the demo sends them too).
export * from "../../sandbox/shopify-payloads";
