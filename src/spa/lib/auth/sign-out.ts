import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { apiRequest, isApiError } from '../api-client.ts';
import { forgetDrafts } from '../drafts/draft-owners.ts';
import { authKeys } from './auth-keys.ts';

/** Ends the session on the server; `redirect` is the IdP's sign-out page in OIDC mode. */
export function signOut(): Promise<{ signedOut: boolean; redirect: string | null }> {
  return apiRequest('/auth/logout', { method: 'POST' });
}

/**
 * Signing out, with its pending state and what went wrong (shown beside the button). Plain state
 * rather than a mutation hook: it is on every page, and the worklist's bundle has a size budget.
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  const [isPending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async () => {
    setPending(true);
    setError(null);
    try {
      const { redirect } = await signOut();
      // Signing out is leaving on purpose: unsaved edits kept in the tab go too.
      forgetDrafts(null);
      if (redirect) {
        window.location.assign(redirect);
        return;
      }
      // Nobody is signed in now (the guard sends them to sign-in), and nothing of theirs stays cached.
      queryClient.setQueryData(authKeys.me(), null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
    } catch (failure) {
      setError(isApiError(failure) ? failure.detail || failure.title : 'The server could not be reached.');
    } finally {
      setPending(false);
    }
  }, [queryClient]);
  return { signOut: run, isPending, error };
}
