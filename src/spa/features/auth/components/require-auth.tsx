import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useMe } from '../../../lib/auth/get-me.ts';
import { draftOwnerOf, forgetDrafts } from '../../../lib/drafts/draft-owners.ts';

/** Pages behind this route need a signed-in person; others are sent to sign in and brought back. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  // Unsaved edits kept in this tab belong to whoever made them: when someone else signs in here
  // (a shared reading-room workstation), the previous person's are removed.
  const owner = me.data ? draftOwnerOf(me.data) : null;
  useEffect(() => {
    if (owner) forgetDrafts(owner);
  }, [owner]);
  if (me.isPending) {
    return (
      <p className="py-8 text-sm text-fg-muted" role="status">
        Checking your session…
      </p>
    );
  }
  if (me.isError) throw me.error;
  if (!me.data) {
    const returnTo = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?returnTo=${encodeURIComponent(returnTo)}`} replace />;
  }
  return <Outlet />;
}
