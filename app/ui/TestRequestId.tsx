import { useState } from "react";

/** A one-time id per test send: a double click submits it twice and sends once; a new one once that send is done. */
export function TestRequestId({ state }: { state: string }) {
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [last, setLast] = useState(state);
  if (state !== last) {
    setLast(state);
    if (state === "idle") setRequestId(crypto.randomUUID());
  }
  return <input type="hidden" name="requestId" value={requestId} />;
}
