import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../api-client.ts';
import type { Me } from '../../../contract/worklist-api.ts';
import { authKeys } from './auth-keys.ts';

/** Dev mode only: sign in as a demo user by email. */
export function signIn(username: string): Promise<{ user: Omit<Me, 'authMode'> }> {
  return apiRequest('/auth/login', { method: 'POST', body: { username } });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signIn,
    // Whatever was cached belonged to the previous person: start clean.
    onSuccess: async () => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'auth' });
      await queryClient.invalidateQueries({ queryKey: authKeys.me() });
    },
  });
}
