import type { Me } from './worklist-api.ts';
import type { StudyListFilters } from './worklist-filters.ts';

/** One group's first page as the BFF puts it in the page: the `filters` it was asked with and the list answer. */
export interface FirstScreenGroupPage {
  filters: StudyListFilters;
  page: unknown;
}

/** With a PACS connected: the context of the page's rows, per page of rows, as `POST /api/pacs/context` answered it. */
export interface FirstScreenPacs {
  enabled: true;
  contexts: { studyInstanceUids: string[]; page: unknown }[];
}

/**
 * What the server-side renderer of the worklist's first screen is given: who is looking, the page's
 * address (path and query, as the browser asked for it) and the first group's first page as the BFF
 * puts it in the page (`filters` it was asked with, `page` the list answer, parsed but not trusted),
 * the later groups' first pages (`more`) and, with a PACS, the rows' context (`pacs`), likewise.
 */
export interface FirstScreenInput {
  me: Me;
  url: string;
  filters: StudyListFilters;
  page: unknown;
  more?: FirstScreenGroupPage[] | undefined;
  pacs?: FirstScreenPacs | undefined;
}

/**
 * Renders the worklist's first screen to HTML (the markup inside `<div id="root">`), with the SPA's
 * own components and the same data the SPA starts from; undefined when it cannot show that screen
 * (another address, data that does not fit it). Built from src/spa/server/first-screen.tsx into
 * dist-server/ and loaded by the BFF at start (decision record 041).
 */
export type FirstScreenRenderer = (input: FirstScreenInput) => string | undefined;

/** The name the built renderer module exports it under. */
export const FIRST_SCREEN_EXPORT = 'renderFirstScreen';
