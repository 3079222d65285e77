// A small settings card on the automations page: heading, explanation and fields (saved by the page's save bar).
import { BlockStack, Card, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function SettingsCard(props: { heading: string; intro: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          {props.heading}
        </Text>
        <Text as="p" tone="subdued">
          {props.intro}
        </Text>
        {props.children}
      </BlockStack>
    </Card>
  );
}
