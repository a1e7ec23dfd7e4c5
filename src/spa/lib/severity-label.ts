import type { Severity } from '../../contract/avara-types.ts';

/**
 * The word for each severity, wherever the SPA writes one (badges, group headers, filters, the
 * drawer's and bulk changes' sentences). A plain module, so modules without JSX (and the bench that
 * runs the bulk change) read the same words as the badge.
 */
export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = { stat: 'STAT', high: 'High', normal: 'Normal' };
