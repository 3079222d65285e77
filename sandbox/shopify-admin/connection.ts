// Relay connections for the Admin simulator's lists: items already in order,
// paged by opaque cursors over a numeric key.

export interface Page {
  first?: number;
  last?: number;
  after?: string;
  before?: string;
}

const cursorOf = (key: number) => Buffer.from(JSON.stringify({ k: key })).toString("base64url");
const keyOf = (cursor: string) => (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { k: number }).k;

/** A Relay connection over items already in order, paged by opaque cursors. */
export function connection<T>(items: { key: number; node: T }[], page: Page) {
  let from = 0;
  let to = items.length;
  if (page.after) from = items.findIndex((i) => i.key === keyOf(page.after!)) + 1;
  if (page.before)
    to = Math.max(
      from,
      items.findIndex((i) => i.key === keyOf(page.before!)),
    );
  const window = items.slice(from, to);
  const slice = page.first !== undefined ? window.slice(0, page.first) : page.last !== undefined ? window.slice(-page.last) : window;
  return {
    edges: slice.map((i) => ({ cursor: cursorOf(i.key), node: i.node })),
    nodes: slice.map((i) => i.node),
    pageInfo: {
      hasNextPage: from + slice.length < to || to < items.length,
      hasPreviousPage: from > 0,
      startCursor: slice[0] ? cursorOf(slice[0].key) : null,
      endCursor: slice.at(-1) ? cursorOf(slice.at(-1)!.key) : null,
    },
  };
}
