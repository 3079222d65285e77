// The admin's own patterns (a save bar for unsaved changes, toasts, the loading
// bar while a page loads) through App Bridge inside the Shopify admin. The
// sandbox runs outside the admin, so there the same calls render Polaris'
// Frame pieces instead (ContextualSaveBar, Loading) and a toast of its own.
import { useNavigation } from "@remix-run/react";
import { SaveBar as AppBridgeSaveBar, useAppBridge } from "@shopify/app-bridge-react";
import { Box, ContextualSaveBar, Frame, Loading, Text } from "@shopify/polaris";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";

import type { Translate } from "../i18n";

interface AdminUi {
  sandbox: boolean;
  toast: (message: string) => void;
}

const AdminUiContext = createContext<AdminUi>({ sandbox: false, toast: () => undefined });

export function AdminUiProvider({ sandbox, children }: { sandbox: boolean; children: ReactNode }) {
  return sandbox ? <SandboxUi>{children}</SandboxUi> : <EmbeddedUi>{children}</EmbeddedUi>;
}

function EmbeddedUi({ children }: { children: ReactNode }) {
  const shopify = useAppBridge();
  const navigating = useNavigation().state !== "idle";
  useEffect(() => {
    shopify.loading(navigating);
  }, [shopify, navigating]);
  const ui = useMemo(() => ({ sandbox: false, toast: (message: string) => void shopify.toast.show(message) }), [shopify]);
  return <AdminUiContext.Provider value={ui}>{children}</AdminUiContext.Provider>;
}

// Polaris' Toast has a close button without a name (axe: button-name), so the sandbox's toast
// is a live region of its own, gone after the admin's 5 s.
const TOAST_MS = 5000;

function SandboxUi({ children }: { children: ReactNode }) {
  const navigating = useNavigation().state !== "idle";
  const [shown, setShown] = useState<{ message: string; id: number } | null>(null);
  const count = useRef(0);
  const toast = useCallback((message: string) => setShown({ message, id: ++count.current }), []);
  const ui = useMemo(() => ({ sandbox: true, toast }), [toast]);
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setShown(null), TOAST_MS);
    return () => clearTimeout(timer);
  }, [shown]);
  return (
    <Frame>
      {navigating ? <Loading /> : null}
      <AdminUiContext.Provider value={ui}>{children}</AdminUiContext.Provider>
      <div
        role="status"
        data-testid="toast"
        style={{ position: "fixed", insetBlockEnd: "var(--p-space-600)", insetInline: "var(--p-space-400)", display: "flex", justifyContent: "center", zIndex: 520, pointerEvents: "none" }}
      >
        {shown ? (
          <Box key={shown.id} background="bg-fill-inverse" padding="300" borderRadius="200" shadow="400">
            <Text as="p" tone="text-inverse">
              {shown.message}
            </Text>
          </Box>
        ) : null}
      </div>
    </Frame>
  );
}

function useToast(): (message: string) => void {
  return useContext(AdminUiContext).toast;
}

/** A toast each time a form's answer (a fetcher's `data`, new per submission) reports a save. */
export function useSavedToast(answer: unknown, saved: boolean, message: string): void {
  const toast = useToast();
  useEffect(() => {
    if (answer && saved) toast(message);
  }, [answer, saved, message, toast]);
}

/** The bar that says a page has unsaved changes, with its one Save and a Discard. */
export function SaveBar({ id, open, saving, onSave, onDiscard, t }: { id: string; open: boolean; saving: boolean; onSave: () => void; onDiscard: () => void; t: Translate }) {
  const { sandbox } = useContext(AdminUiContext);
  if (sandbox) {
    if (!open) return null;
    return (
      <ContextualSaveBar
        message={t("admin.saveBar.unsaved")}
        saveAction={{ content: t("admin.saveBar.save"), onAction: onSave, loading: saving }}
        discardAction={{ content: t("admin.saveBar.discard"), onAction: onDiscard, disabled: saving }}
      />
    );
  }
  return (
    <AppBridgeSaveBar id={id} open={open}>
      <button {...{ variant: "primary" }} onClick={onSave} {...(saving ? { loading: "" } : {})}>
        {t("admin.saveBar.save")}
      </button>
      <button onClick={onDiscard} disabled={saving}>
        {t("admin.saveBar.discard")}
      </button>
    </AppBridgeSaveBar>
  );
}
