import { Badge, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";

import type { MessageKey, Translate } from "../i18n";

type Step = "connect" | "templates" | "automations" | "test";

// Where each step is done: templates, automations and the test send all live on the automations page.
const STEP_URL: Record<Step, string> = { connect: "/app/connect", templates: "/app/automations", automations: "/app/automations", test: "/app/automations" };

/** The setup path for a new shop: each step done or not, the first one not done as the one primary action. */
export function SetupChecklist({ checklist, t }: { checklist: { steps: { step: Step; done: boolean }[]; next: Step | null }; t: Translate }) {
  const { steps, next } = checklist;
  if (!next) return null;
  return (
    <div data-testid="setup-checklist">
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("setup.title")}
          </Text>
          <Text as="p">{t("setup.intro", { done: steps.filter((s) => s.done).length, total: steps.length })}</Text>
          <BlockStack gap="200">
            {steps.map(({ step, done }) => (
              <InlineStack key={step} gap="200" blockAlign="center">
                <Badge tone={done ? "success" : undefined}>{done ? t("setup.done") : t("setup.notDone")}</Badge>
                <Text as="span" fontWeight={step === next ? "semibold" : undefined}>
                  {t(`setup.step.${step}` as MessageKey)}
                </Text>
              </InlineStack>
            ))}
          </BlockStack>
          <InlineStack>
            <Button variant="primary" url={STEP_URL[next]}>
              {t(`setup.action.${next}` as MessageKey)}
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </div>
  );
}
