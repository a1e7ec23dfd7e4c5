const TABBABLE =
  'a[href],button,input,select,textarea,summary,[tabindex],[contenteditable]:not([contenteditable="false"])';

// jsdom lays nothing out: there, an element counts as shown unless hidden by attribute.
const LAID_OUT = typeof navigator === 'undefined' || !navigator.userAgent.includes('jsdom');

/** The elements Tab reaches inside the container, in document order (positive tabindex is not used here). */
export function tabbables(container: Element): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (element) =>
      element.tabIndex >= 0 &&
      !('disabled' in element && element.disabled === true) &&
      !(element instanceof HTMLInputElement && element.type === 'hidden') &&
      element.closest('[hidden],[inert]') === null &&
      (!LAID_OUT || element.getClientRects().length > 0),
  );
}

function precedes(a: Node, b: Node): boolean {
  return a !== b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
}

/**
 * Keeps Tab and Shift+Tab inside the container: Tab from its last stop goes to its first, Shift+Tab
 * from its first (or from anything focusable before it, e.g. a heading) goes to its last. True when
 * it moved focus; other Tab presses are left to the browser.
 */
export function trapTab(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'preventDefault'>,
  container: Element,
): boolean {
  if (event.key !== 'Tab') return false;
  const stops = tabbables(container);
  const first = stops[0];
  const last = stops.at(-1);
  const active = document.activeElement;
  const inside = active !== null && container.contains(active);
  let target: HTMLElement | undefined;
  if (!first || !last) target = undefined;
  else if (!inside) target = event.shiftKey ? last : first;
  else if (event.shiftKey && (active === first || precedes(active, first))) target = last;
  else if (!event.shiftKey && (active === last || precedes(last, active))) target = first;
  else return false;
  event.preventDefault();
  target?.focus();
  return true;
}
