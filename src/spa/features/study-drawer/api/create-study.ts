import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import type { ApiAnswer, ApiBody } from '../../../lib/api-types.ts';

/** POST /api/studies (coordinators): 201 with the new study; 409 when the UID is already taken. */
export function createStudy(params: ApiBody<'/api/studies', 'post'>): Promise<ApiAnswer<'/api/studies', 'post'>> {
  return apiRequest<ApiAnswer<'/api/studies', 'post'>>('/api/studies', { method: 'POST', body: params });
}

/** Creates a study; every list refetches (by the shared `['studies']` prefix) so it shows where it belongs. */
export function useCreateStudy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createStudy,
    onSuccess: async (study) => {
      queryClient.setQueryData(['studies', 'detail', study.studyId], study);
      await queryClient.invalidateQueries({ queryKey: ['studies'] });
    },
  });
}
