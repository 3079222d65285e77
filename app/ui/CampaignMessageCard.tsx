import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { utmLinkValue } from "../campaigns/utm";
import { type Locale, type MessageKey, translator } from "../i18n";
import { filledLink } from "../whatsapp/template-text";
import { languageName } from "../i18n/codes";
import { TestRequestId } from "./TestRequestId";

export type MessageActionResult = { intent: string; ok: true; status?: string } | { intent: string; ok: false; field: string; code: string };

interface Props {
  locale: Locale;
  editable: boolean;
  templateName: string | null;
  mapping: string[];
  templates: { name: string; parameters: number; link: boolean }[];
  /** Each template's body, and its link if it ends in a variable, in the preview recipient's language. */
  texts: Record<string, { body: string; link: string | null }>;
  /** The utm_campaign saved, else one made from the campaign's name. */
  utmCampaign: string;
  recipient: { firstName: string | null; language: string; fields: Record<string, string> } | null;
  fields: readonly string[];
  /** False keeps the test send disabled, saying why. */
  connected: boolean;
}

/** A refusal's code, worded: `mapping.2` names variable {{2}}. */
export function messageError(locale: Locale, result: MessageActionResult | undefined): string | undefined {
  if (!result || result.ok) return undefined;
  const n = /\.(\d+)$/.exec(result.field)?.[1];
  return translator(locale)(`campaigns.messageError.${result.field.replace(/\.\d+$/, "")}.${result.code}` as MessageKey, { n: `{{${n}}}` });
}

/** The body with each {{n}} replaced by the recipient's value for its field; an empty one is marked as such. */
function Preview({ body, mapping, fields, locale }: { body: string; mapping: string[]; fields: Record<string, string>; locale: Locale }) {
  const t = translator(locale);
  const parts = body.split(/(\{\{\s*\d+\s*\}\})/);
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <p style={{ whiteSpace: "pre-wrap" }} data-testid="campaign-preview">
        {parts.map((part, i) => {
          const n = /^\{\{\s*(\d+)\s*\}\}$/.exec(part)?.[1];
          if (!n) return part;
          const value = fields[mapping[Number(n) - 1] ?? ""]?.trim();
          return value ? (
            <strong key={i}>{value}</strong>
          ) : (
            <Text key={i} as="span" tone="critical" fontWeight="semibold">
              {t("campaigns.preview.empty", { variable: `{{${n}}}` })}
            </Text>
          );
        })}
      </p>
    </Box>
  );
}

export function CampaignMessageCard(props: Props) {
  const { locale, editable, templates, texts, recipient, connected } = props;
  const t = translator(locale);
  const save = useFetcher<MessageActionResult>();
  const test = useFetcher<MessageActionResult>();
  const [templateName, setTemplateName] = useState(props.templateName ?? "");
  const [mapping, setMapping] = useState<string[]>(props.mapping);
  const [phone, setPhone] = useState("");
  const [utm, setUtm] = useState(props.utmCampaign);
  const template = templates.find((o) => o.name === templateName);
  const variables = Array.from({ length: template?.parameters ?? 0 }, (_, i) => mapping[i] ?? "");
  const fieldOptions = [{ value: "", label: "—" }, ...props.fields.map((field) => ({ value: field, label: t(`campaigns.field.${field}` as MessageKey) }))];
  const saveError = messageError(locale, save.data);
  const testError = messageError(locale, test.data);
  const body = texts[templateName]?.body ?? "";
  const link = texts[templateName]?.link ?? null;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("campaigns.message")}
        </Text>
        {editable ? null : <Banner tone="info">{t("campaigns.message.locked")}</Banner>}
        <save.Form method="post">
          <input type="hidden" name="intent" value="message" />
          {variables.map((field, i) => (
            <input key={i} type="hidden" name="mapping" value={field} />
          ))}
          <BlockStack gap="300">
            <Select
              label={t("campaigns.template")}
              name="templateName"
              disabled={!editable}
              options={[{ value: "", label: t("campaigns.message.choose") }, ...templates.map((o) => ({ value: o.name, label: o.name }))]}
              value={templateName}
              onChange={(value) => {
                setTemplateName(value);
                setMapping([]);
              }}
              error={save.data && !save.data.ok && save.data.field === "templateName" ? saveError : undefined}
            />
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
              {variables.map((field, i) => (
                <Select
                  key={`${templateName}-${i}`}
                  label={t("campaigns.message.variable", { n: `{{${i + 1}}}` })}
                  disabled={!editable}
                  options={fieldOptions}
                  value={field}
                  onChange={(value) => setMapping(variables.map((f, j) => (j === i ? value : f)))}
                />
              ))}
            </InlineGrid>
            {template?.link ? (
              <TextField
                label={t("campaigns.message.utm")}
                name="utmCampaign"
                disabled={!editable}
                value={utm}
                onChange={setUtm}
                autoComplete="off"
                helpText={t("campaigns.message.utmHelp")}
                error={save.data && !save.data.ok && save.data.field === "utmCampaign" ? saveError : undefined}
              />
            ) : null}
            {saveError && save.data && !save.data.ok && !["templateName", "utmCampaign"].includes(save.data.field) ? <Banner tone="critical">{saveError}</Banner> : null}
            {save.data?.ok && save.state === "idle" ? <Banner tone="success">{t("campaigns.message.saved")}</Banner> : null}
            {editable ? (
              <InlineStack>
                <Button submit variant="primary" loading={save.state !== "idle"}>
                  {t("campaigns.message.save")}
                </Button>
              </InlineStack>
            ) : null}
          </BlockStack>
        </save.Form>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            {t("campaigns.preview")}
          </Text>
          {!recipient ? (
            <Text as="p" tone="subdued">
              {t("campaigns.preview.noRecipient")}
            </Text>
          ) : template ? (
            <BlockStack gap="200">
              <Text as="p" tone="subdued">
                {t("campaigns.preview.for", { name: recipient.firstName ?? t("campaigns.preview.noName"), language: languageName(locale, recipient.language, true) })}
              </Text>
              {body ? <Preview body={body} mapping={variables} fields={recipient.fields} locale={locale} /> : <Banner tone="warning">{t("campaigns.preview.noBody")}</Banner>}
              {link ? (
                <Text as="p" tone="subdued">
                  {t("campaigns.preview.link")} <span data-testid="campaign-link">{filledLink(link, utmLinkValue(link, utm.trim().toLowerCase()))}</span>
                </Text>
              ) : null}
            </BlockStack>
          ) : null}
        </BlockStack>
        <test.Form method="post">
          <input type="hidden" name="intent" value="test" />
          <TestRequestId state={test.state} />
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t("campaigns.test")}
            </Text>
            <TextField label={t("campaigns.test.phone")} name="phone" type="tel" value={phone} onChange={setPhone} autoComplete="tel" helpText={t("campaigns.test.help")} error={testError} />
            {test.data?.ok && test.state === "idle" ? <Banner tone="success">{t("campaigns.test.sent")}</Banner> : null}
            <InlineStack>
              <Button submit disabled={!connected} loading={test.state !== "idle"}>
                {t("campaigns.test.send")}
              </Button>
            </InlineStack>
            {connected ? null : (
              <Text as="p" tone="subdued">
                {t("empty.connect.disabled")}
              </Text>
            )}
          </BlockStack>
        </test.Form>
      </BlockStack>
    </Card>
  );
}
