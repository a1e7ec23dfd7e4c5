import { afterEach, describe, expect, it } from 'vitest';
import { tabbables, trapTab } from './focus-trap.ts';

function drawer(): HTMLElement {
  const aside = document.createElement('aside');
  aside.innerHTML = `
    <h2 tabindex="-1">Study</h2>
    <button>Close</button>
    <button disabled>Busy</button>
    <p tabindex="-1">Saved.</p>
    <input type="hidden" />
    <div hidden><button>Hidden</button></div>
    <a href="/studies/1">Link</a>
    <select><option>One</option></select>`;
  document.body.append(aside);
  return aside;
}

function tab(container: Element, shiftKey = false) {
  let prevented = false;
  const moved = trapTab({ key: 'Tab', shiftKey, preventDefault: () => (prevented = true) }, container);
  return { moved, prevented };
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('the focus trap', () => {
  it('lists only the stops Tab reaches', () => {
    expect(tabbables(drawer()).map((element) => element.textContent?.trim() || element.tagName)).toEqual([
      'Close',
      'Link',
      'One',
    ]);
  });

  it('wraps Tab from the last stop to the first, and Shift+Tab from the first to the last', () => {
    const aside = drawer();
    aside.querySelector('select')?.focus();
    expect(tab(aside)).toEqual({ moved: true, prevented: true });
    expect(document.activeElement?.textContent).toBe('Close');
    expect(tab(aside, true)).toEqual({ moved: true, prevented: true });
    expect(document.activeElement?.tagName).toBe('SELECT');
  });

  it('leaves Tab between stops to the browser', () => {
    const aside = drawer();
    aside.querySelector('button')?.focus();
    expect(tab(aside)).toEqual({ moved: false, prevented: false });
    aside.querySelector('p')?.focus();
    expect(tab(aside, true)).toEqual({ moved: false, prevented: false });
  });

  it('goes to the last stop on Shift+Tab from the heading, and back inside from outside', () => {
    const aside = drawer();
    aside.querySelector('h2')?.focus();
    tab(aside, true);
    expect(document.activeElement?.tagName).toBe('SELECT');
    const outside = document.createElement('button');
    document.body.prepend(outside);
    outside.focus();
    tab(aside);
    expect(document.activeElement?.textContent).toBe('Close');
  });
});
