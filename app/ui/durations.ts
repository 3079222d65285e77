// How long something took, as people read it: the two largest units, rounded
// down ("4 min 30 s", "1 h 5 min", "2 d 3 h"). Shared by server and pages.
import type { Translate } from "../i18n";

export function formatDuration(t: Translate, ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return h ? t("duration.dh", { d, h }) : t("duration.d", { d });
  if (h) return m ? t("duration.hm", { h, m }) : t("duration.h", { h });
  if (m) return s ? t("duration.ms", { m, s }) : t("duration.m", { m });
  return t("duration.s", { s });
}
