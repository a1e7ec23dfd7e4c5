import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../api-client.ts';
import { authKeys } from './auth-keys.ts';

/** Ends the session on the server; `redirect` is the IdP's sign-out page in OIDC mode. */
export function signOut(): Promise<{ signedOut: boolean; redirect: string | null }> {
  return apiRequest('/auth/logout', { method: 'POST' });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: signOut,
    onSuccess: ({ redirect }) => {
      if (redirect) {
        window.location.assign(redirect);
        return;
      }
      // Nobody is signed in now (the guard sends them to sign-in), and nothing of theirs stays cached.
      queryClient.setQueryData(authKeys.me(), null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
    },
  });
}
