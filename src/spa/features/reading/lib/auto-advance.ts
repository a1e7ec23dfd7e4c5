// The auto-advance choice on its own: the Next study button reads it on the first screen, while the
// outcome rules (next-study-outcome.ts) load only with the button's first use.

const AUTO_ADVANCE_KEY = 'worklist.nextStudy.autoAdvance';

/** Whether the person chose to be given the next study right after Mark read (off unless chosen). */
export function readAutoAdvance(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(AUTO_ADVANCE_KEY) === 'on';
  } catch {
    // Storage refused (private mode, a policy): the default.
    return false;
  }
}

export function writeAutoAdvance(
  on: boolean,
  storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.localStorage,
): void {
  try {
    if (on) storage?.setItem(AUTO_ADVANCE_KEY, 'on');
    else storage?.removeItem(AUTO_ADVANCE_KEY);
  } catch {
    // Not remembered: the choice holds for this page only.
  }
}
