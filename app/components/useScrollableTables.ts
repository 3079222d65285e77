// Polaris's DataTable scrolls sideways in a container a keyboard cannot reach
// unless the table is condensed (then it has its own scroll buttons); a table
// that overflows otherwise (long Portuguese headings on a phone) left keyboard
// users unable to scroll it. Every such container on the page can take focus
// (arrow keys then scroll it), including tables rendered later.
import { useEffect } from "react";

const CONTAINER = ".Polaris-DataTable__ScrollContainer:not([tabindex])";

export function useScrollableTables(): void {
  useEffect(() => {
    let pending = 0;
    const mark = () => {
      pending = 0;
      for (const element of document.querySelectorAll(CONTAINER)) element.setAttribute("tabindex", "0");
    };
    mark();
    const observer = new MutationObserver(() => {
      if (!pending) pending = requestAnimationFrame(mark);
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      cancelAnimationFrame(pending);
    };
  }, []);
}
