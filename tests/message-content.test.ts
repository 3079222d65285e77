// Reading Meta's message objects: a location's shared link is kept only as a
// web address, since the thread page renders it as a link.
import { describe, expect, it } from "vitest";

import { readMessage } from "../app/whatsapp/message-content";

describe("message content", () => {
  it("keeps a location's https link and drops a script link", () => {
    const location = (url: string) => ({ id: "wamid.x", type: "location", location: { latitude: null, longitude: null, name: "Loja", address: "Rua A, 1", url } });
    expect(readMessage(location("https://maps.example/loja")).content).toMatchObject({ kind: "location", url: "https://maps.example/loja" });
    expect(readMessage(location("javascript:alert(document.cookie)")).content).toMatchObject({ kind: "location", url: null });
    expect(readMessage(location(" JAVASCRIPT:alert(1)")).content).toMatchObject({ kind: "location", url: null });
  });
});
