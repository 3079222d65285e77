// Polaris's DataTable scrolls sideways in a container a keyboard cannot reach
// unless the table is condensed (then it has its own scroll buttons), and so
// does an IndexTable (the inbox on a phone); a table that overflows otherwise
// (long Portuguese headings on a phone) left keyboard users unable to scroll
// it. Every such container that overflows can take focus (arrow keys then
// scroll it), as a named region, including tables rendered later and ones a
// narrower window makes overflow.
import { useEffect } from "react";

const CONTAINER = ".Polaris-DataTable__ScrollContainer:not([tabindex]), .Polaris-IndexTable-ScrollContainer:not([tabindex])";

/** `label` names the scrollable region for screen readers ("Table"). */
export function useScrollableTables(label: string): void {
  useEffect(() => {
    let pending = 0;
    const mark = () => {
      pending = 0;
      for (const element of document.querySelectorAll(CONTAINER)) {
        if (element.scrollWidth <= element.clientWidth) continue;
        element.setAttribute("tabindex", "0");
        element.setAttribute("role", "region");
        element.setAttribute("aria-label", label);
      }
    };
    const schedule = () => {
      if (!pending) pending = requestAnimationFrame(mark);
    };
    mark();
    const observer = new MutationObserver(schedule);
    observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener("resize", schedule);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", schedule);
      cancelAnimationFrame(pending);
    };
  }, [label]);
}
