// The costs page's rate cards: the ones in use, and Meta's CSVs uploaded as a
// new one, with the rates (market and category) it lacks that the card it replaces had.
import { Form } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DropZone, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { Locale, MessageKey, Translate } from "../i18n";
import { marketName, plural } from "../i18n/codes";
import type { LostRate } from "../pricing/rate-card-upload.server";
import { formatDay } from "./dates";

interface Props {
  t: Translate;
  locale: Locale;
  currency: string;
  cards: { ref: string; effectiveFrom: string; source: "upload" | "bundled"; markets: number; tiers: number }[];
  /** The upload's answer: the rates it lost, or nothing yet. */
  uploaded: { lostRates: LostRate[] } | undefined;
  errorFor: (field: string) => string | undefined;
  busy: boolean;
}

export function RateCardCard({ t, locale, currency, cards, uploaded, errorFor, busy }: Props) {
  const [effectiveFrom, setEffectiveFrom] = useState("");
  const [ratesFile, setRatesFile] = useState<File | null>(null);
  const [tiersFile, setTiersFile] = useState<File | null>(null);
  const lostRates = uploaded?.lostRates ?? [];
  return (
    <Card>
      <Form method="post" encType="multipart/form-data">
        <input type="hidden" name="intent" value="rate-card" />
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("costs.cards.title")}
          </Text>
          {cards.map((c) => (
            <InlineStack key={c.ref} gap="200" blockAlign="center">
              <Text as="span">{formatDay(c.effectiveFrom, locale)}</Text>
              <Badge tone={c.source === "upload" ? "success" : undefined}>{t(`costs.cards.${c.source}`)}</Badge>
              <Text as="span" tone="subdued">{`${plural(t, locale, "costs.cards.markets", c.markets)} · ${plural(t, locale, "costs.cards.tiers", c.tiers)}`}</Text>
            </InlineStack>
          ))}
          <Text as="p" tone="subdued">
            {t("costs.cards.help", { currency })}
          </Text>
          <TextField label={t("costs.cards.effectiveFrom")} type="date" name="effectiveFrom" autoComplete="off" value={effectiveFrom} onChange={setEffectiveFrom} error={errorFor("effectiveFrom")} />
          <DropZone
            label={t("costs.cards.rates")}
            accept=".csv,text/csv"
            allowMultiple={false}
            onDrop={(files) => setRatesFile(files[0] ?? null)}
            error={Boolean(errorFor("rates") || errorFor("currency"))}
          >
            {ratesFile ? (
              <Text as="p" alignment="center">
                {ratesFile.name}
              </Text>
            ) : (
              <DropZone.FileUpload actionHint={t("costs.cards.hint")} />
            )}
          </DropZone>
          <input type="file" name="rates" hidden aria-hidden ref={(input) => attach(input, ratesFile)} />
          {errorFor("rates") || errorFor("currency") ? (
            <Text as="p" tone="critical">
              {errorFor("rates") ?? errorFor("currency")}
            </Text>
          ) : null}
          <DropZone label={t("costs.cards.tiers")} accept=".csv,text/csv" allowMultiple={false} onDrop={(files) => setTiersFile(files[0] ?? null)} error={Boolean(errorFor("tiers"))}>
            {tiersFile ? (
              <Text as="p" alignment="center">
                {tiersFile.name}
              </Text>
            ) : (
              <DropZone.FileUpload actionHint={t("costs.cards.hint")} />
            )}
          </DropZone>
          <input type="file" name="tiers" hidden aria-hidden ref={(input) => attach(input, tiersFile)} />
          {errorFor("tiers") ? (
            <Text as="p" tone="critical">
              {errorFor("tiers")}
            </Text>
          ) : null}
          <InlineStack>
            <Button submit loading={busy}>
              {t("costs.cards.upload")}
            </Button>
          </InlineStack>
          {uploaded ? <Banner tone="success" title={t("costs.cards.uploaded")} /> : null}
          {lostRates.length ? (
            <Banner tone="warning" title={t("costs.cards.lostRates")}>
              <p>
                {new Intl.ListFormat(locale, { type: "conjunction" }).format(
                  lostRates.map((r) => t("costs.cards.lostRate", { market: marketName(t, locale, r.market), category: t(`costs.category.${r.category}` as MessageKey) })),
                )}
              </p>
            </Banner>
          ) : null}
        </BlockStack>
      </Form>
    </Card>
  );
}

/** DropZone hands us File objects; a hidden file input carries them in the form post. */
function attach(input: HTMLInputElement | null, file: File | null) {
  if (!input) return;
  const transfer = new DataTransfer();
  if (file) transfer.items.add(file);
  input.files = transfer.files;
}
