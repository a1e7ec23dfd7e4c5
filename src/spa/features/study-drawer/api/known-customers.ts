import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ExpressCustomerReference } from '../../../../contract/avara-types.ts';
import { hasTextFields } from '../../../../contract/answer-shapes.ts';

function isCustomer(value: unknown): value is ExpressCustomerReference {
  return hasTextFields(value, 'expressCustomerId', 'expressCustomerName');
}

/** Every customer reference anywhere in a cached answer (list pages, one study). */
function collect(value: unknown, into: Map<string, ExpressCustomerReference>, depth = 0): void {
  if (depth > 6 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into, depth + 1);
    return;
  }
  if ('expressCustomer' in value && isCustomer(value.expressCustomer)) {
    into.set(value.expressCustomer.expressCustomerId, value.expressCustomer);
  }
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) collect(child, into, depth + 1);
  }
}

/**
 * The customers the worklist has already shown, for the create form's customer choice. The API has
 * no customer list of its own; a customer not seen yet can still be entered by ID.
 */
export function useKnownCustomers(): ExpressCustomerReference[] {
  const queryClient = useQueryClient();
  return useMemo(() => {
    const customers = new Map<string, ExpressCustomerReference>();
    for (const [, data] of queryClient.getQueriesData({ queryKey: ['studies'] })) collect(data, customers);
    return [...customers.values()].sort((a, b) => a.expressCustomerName.localeCompare(b.expressCustomerName));
  }, [queryClient]);
}
