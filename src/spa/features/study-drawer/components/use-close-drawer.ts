import { useCallback } from 'react';
import { useLocation, useNavigate } from 'react-router';

/** Back to the worklist, keeping its filters (they live in the search params). */
export function useCloseDrawer(): () => void {
  const navigate = useNavigate();
  const { search } = useLocation();
  return useCallback(() => {
    void navigate({ pathname: '/', search });
  }, [navigate, search]);
}
