// The lists inside one Meta change (statuses, customer messages, echoes,
// history threads: up to 1,000 items) checked item by item: an item Meta
// sends that the app cannot read (a status it does not know, such as
// `deleted`; a message without an id or with a timestamp out of range) is
// passed over with its field named, and the others are handled. Only a change
// with nothing readable in it is rejected as a whole.
import { z } from "zod";

/** Where a list's unreadable items are noted while its readable ones are handled. */
export class ItemChecks {
  private readonly issues: z.ZodIssue[] = [];
  private readable = 0;

  /** The list's items that `schema` reads; each other one is noted under `path`.index. */
  valid<T>(list: readonly unknown[] | undefined, schema: z.ZodType<T>, path: (string | number)[]): T[] {
    const kept: T[] = [];
    (list ?? []).forEach((item, index) => {
      const parsed = schema.safeParse(item);
      if (parsed.success) kept.push(parsed.data);
      else this.issues.push(...parsed.error.issues.map((issue) => ({ ...issue, path: [...path, index, ...issue.path] })));
    });
    this.readable += kept.length;
    return kept;
  }

  /** Throws the items' issues (the receipt is rejected, naming them) when none of the items could be read. */
  requireSome(): void {
    if (this.issues.length && !this.readable) throw new z.ZodError(this.issues);
  }

  /** Notes an item that was read but whose field at `path` was not (the item handled without it). */
  flag(path: (string | number)[], code: string): void {
    this.issues.push({ code: "custom", path, message: code });
  }

  /** What was passed over, for the receipt: field paths and zod's issue codes, never messages (an enum's names the value received). */
  note(topic: string): string | undefined {
    if (!this.issues.length) return undefined;
    const fields = [...new Set(this.issues.map((issue) => `${issue.path.join(".")} (${issue.code === "custom" ? issue.message : issue.code})`))];
    return `passed over ${fields.length} unreadable item field(s) in ${topic}: ${fields.slice(0, 5).join(", ")}${fields.length > 5 ? ", …" : ""}`;
  }
}
