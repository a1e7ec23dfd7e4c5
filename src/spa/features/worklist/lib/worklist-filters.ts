// The worklist's filters as the URL carries them live in the contract: the BFF reads a saved view's
// filters with the same parsers (src/bff/views/).
export * from '../../../../contract/worklist-filters.ts';
