/**
 * Query keys of the PACS: `['pacs','context', uids]` is one page of worklist rows, so the drawer can
 * find a study's context in whichever page already holds it.
 */
export const pacsKeys = {
  all: ['pacs'] as const,
  status: () => [...pacsKeys.all, 'status'] as const,
  contexts: () => [...pacsKeys.all, 'context'] as const,
  context: (studyInstanceUids: readonly string[]) => [...pacsKeys.contexts(), studyInstanceUids] as const,
};
