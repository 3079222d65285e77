// USD rates per delivered template message for the card in force from
// 2026-10-01, as far as they could be cross-checked (provenance per row in
// `confidence`; see ../shared/rate-cards/README.md in the workspace and
// docs/pricing in README). Empty cells are unknown, never zero. Meta's tier
// thresholds are not published anywhere we could check, so this card has no
// tiers: a merchant's upload of Meta's CSVs adds them.
export default `market,calling_code,currency,effective_from,marketing,utility,authentication,confidence
Brazil,55,USD,2026-10-01,0.0625,0.0068,0.0068,derived
Argentina,54,USD,2026-10-01,0.0618,0.0260,0.0260,derived
Colombia,57,USD,2026-10-01,0.0125,0.0008,0.0008,derived
Chile,56,USD,2026-10-01,0.0889,0.0200,0.0200,derived
Egypt,20,USD,2026-10-01,0.0644,0.0036,0.0036,derived
North America,1,USD,2026-10-01,0.0250,0.0034,0.0034,secondary
India,91,USD,2026-10-01,,0.0014,,secondary
Mexico,52,USD,2026-10-01,,0.0085,,secondary
`;
