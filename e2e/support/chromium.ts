/**
 * Debian's Chromium, as every browser test and benchmark here launches it: browsers cannot be
 * downloaded on these machines, and without the background-networking flags Chromium keeps trying
 * to reach Google's hosts through a closed network.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
