// One automation on the automations page: switch, template, delays and the
// order field behind each template variable, with a live preview. The page
// holds every card's draft and saves them together (its save bar).
import { Badge, Banner, BlockStack, Box, Card, Checkbox, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";

import { MAPPABLE_FIELDS } from "../core/domain";
import type { Locale, MessageKey, Translate } from "../i18n";
import { categoryName, storedReasonText } from "../i18n/codes";
import { renderPreview } from "../whatsapp/template-text";
import { AutomationTestForm } from "./AutomationTestForm";

export interface AutomationDraft {
  enabled: boolean;
  templateName: string;
  mapping: string[];
  delay: string;
  secondDelay: string;
  /** Resume a paused automation as it is: a save clears the pause even with nothing else changed. */
  resume: boolean;
}

export interface TemplateOption {
  name: string;
  category: string;
  body: string;
  parameters: number;
  approved: boolean;
}

type PreviewSubject = { label: string; fields: Record<string, string> } | null;

/** One field per template variable: the mapping cut or padded to the template's count. */
function variablesOf(draft: AutomationDraft, template: TemplateOption | undefined): string[] {
  return Array.from({ length: template?.parameters ?? 0 }, (_, i) => draft.mapping[i] ?? "");
}

/** What the page submits for a draft (automationFormSchema's fields, bar the trigger). */
export function automationFields(draft: AutomationDraft, options: TemplateOption[]) {
  return {
    enabled: draft.enabled ? "on" : "off",
    templateName: draft.templateName,
    mapping: variablesOf(
      draft,
      options.find((o) => o.name === draft.templateName),
    ),
    delayMinutes: draft.delay,
    secondReminderDelayMinutes: draft.secondDelay,
  };
}

export function AutomationCard(props: {
  automation: { id: string; trigger: string; pausedReason: string | null };
  draft: AutomationDraft;
  onChange: (draft: AutomationDraft) => void;
  errors: Record<string, string>;
  options: TemplateOption[];
  subject: PreviewSubject;
  locale: Locale;
  connected: boolean;
  t: Translate;
}) {
  const { automation, draft, onChange, errors, options, subject, locale, connected, t } = props;
  const template = options.find((o) => o.name === draft.templateName);
  const variables = variablesOf(draft, template);
  const fieldOptions = MAPPABLE_FIELDS.map((field) => ({ value: field, label: t(`automations.field.${field}` as MessageKey) }));
  const set = (change: Partial<AutomationDraft>) => onChange({ ...draft, ...change });
  return (
    <div data-testid={`automation-${automation.trigger}`}>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t(`automations.trigger.${automation.trigger}` as MessageKey)}
            </Text>
            {template ? <Badge tone={template.category === "MARKETING" ? "attention" : "info"}>{categoryName(t, template.category)}</Badge> : null}
          </InlineStack>
          {automation.pausedReason && !draft.resume ? (
            <Banner tone="warning" action={{ content: t("admin.resumeAutomation"), onAction: () => set({ resume: true }) }}>
              {t("automations.paused", { reason: storedReasonText(t, locale, automation.pausedReason, "code.unknown") })}
            </Banner>
          ) : null}
          <Checkbox label={t("automations.enabled")} checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select
              label={t("automations.template")}
              options={options.map((o) => ({ value: o.name, label: `${o.name} (${categoryName(t, o.category)})` }))}
              value={draft.templateName}
              onChange={(templateName) => set({ templateName, mapping: [] })}
              error={errors.templateName}
            />
            <TextField
              label={t("automations.delay")}
              type="number"
              autoComplete="off"
              value={draft.delay}
              onChange={(delay) => set({ delay })}
              helpText={automation.trigger === "CHECKOUT_ABANDONED" ? t("automations.delayHelp") : undefined}
              error={errors.delayMinutes}
            />
            {automation.trigger === "CHECKOUT_ABANDONED" ? (
              <TextField
                label={t("automations.secondReminder")}
                type="number"
                autoComplete="off"
                value={draft.secondDelay}
                onChange={(secondDelay) => set({ secondDelay })}
                error={errors.secondReminderDelayMinutes}
              />
            ) : null}
            {variables.map((field, i) => (
              <Select
                key={i}
                label={t("automations.variable", { n: i + 1 })}
                options={[{ value: "", label: "—" }, ...fieldOptions]}
                value={field}
                onChange={(value) => set({ mapping: variables.map((f, j) => (j === i ? value : f)) })}
                error={i === 0 ? errors.mapping : undefined}
              />
            ))}
          </InlineGrid>
          {template && !template.approved ? <Banner tone="warning">{t("automations.notApproved")}</Banner> : null}
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <BlockStack gap="100">
              <Text as="p" variant="bodySm" tone="subdued">
                {subject ? t("automations.preview", { subject: subject.label }) : t("automations.previewNone")}
              </Text>
              <Text as="p">
                <span data-testid={`preview-${automation.trigger}`}>{renderPreview(template?.body ?? "", variables, subject?.fields ?? {})}</span>
              </Text>
            </BlockStack>
          </Box>
        </BlockStack>
        <Box paddingBlockStart="400">
          <AutomationTestForm automationId={automation.id} connected={connected} t={t} />
        </Box>
      </Card>
    </div>
  );
}
