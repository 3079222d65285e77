// The time a page renders "how long until" text with. Hydration must render
// what the server rendered, so the first render uses the server's moment (a
// loader's `asOf`); the browser's clock takes over after, every `everyMs`.
// Date.now() in a render made the browser's text differ from the server's
// whenever a minute's rounding fell between the two, and React then threw
// the page's server HTML away.
import { useEffect, useState } from "react";

export function useNow(serverNow: string, everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
