import { useQuery } from '@tanstack/react-query';
import type { CustomerAnswer } from '../../../../contract/worklist-api.ts';
import { hasTextFields } from '../../../../contract/answer-shapes.ts';
import { apiRequestChecked } from '../../../lib/api-client.ts';

function isCustomerAnswer(value: unknown): value is CustomerAnswer {
  return hasTextFields(value, 'name', 'customerId');
}

/**
 * The name of a customer a link names but the loaded rows do not (the server resolves it from a
 * study of that customer); undefined while asked, or when the server knows none.
 */
export function useCustomerName(customerId: `cus_${string}` | undefined): string | undefined {
  const query = useQuery({
    queryKey: ['customers', customerId],
    queryFn: ({ signal }) => apiRequestChecked(`/api/customers/${customerId ?? ''}`, isCustomerAnswer, { signal }),
    enabled: customerId !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return query.data?.name;
}
