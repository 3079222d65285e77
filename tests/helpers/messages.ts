// Message rows as the engine finds them: queued order-confirmation templates,
// one per recipient, ready for a worker to claim.
import { STATUS_RANK } from "../../app/core/domain";
import type { Prisma } from "../../app/generated/prisma/client";

type Row = Prisma.MessageCreateManyInput;

/** `count` queued template sends named `<prefix>:<i>` (order `#<prefix><i>`), to phones from `phoneBase` on. */
export function queuedRows(shopId: string, template: { id: string | null; name: string; language: string }, prefix: string, count: number, phoneBase: number, extra: Partial<Row> = {}): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    shopId,
    direction: "OUT",
    source: "AUTOMATION",
    type: "template",
    templateId: template.id,
    templateName: template.name,
    templateLanguage: template.language,
    params: { body: ["Ana", `#${prefix}${i}`, "R$ 10,00"] },
    recipientPhone: `+55119${String(phoneBase + i).padStart(8, "0")}`,
    idempotencyKey: `${prefix}:${i}`,
    status: "QUEUED",
    statusRank: STATUS_RANK.QUEUED,
    ...extra,
  }));
}
