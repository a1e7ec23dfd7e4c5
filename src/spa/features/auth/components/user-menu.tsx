import { useMe } from '../../../lib/auth/get-me.ts';
import { useSignOut } from '../../../lib/auth/sign-out.ts';

/** Who is signed in, in which role, and the way out. */
export function UserMenu() {
  const me = useMe();
  const { signOut, isPending, error } = useSignOut();
  if (!me.data) return null;
  return (
    <div className="ml-auto flex items-center gap-3 text-sm">
      <span className="hidden text-right sm:block">
        <span className="block font-medium leading-tight">{me.data.name}</span>
        <span className="block text-xs capitalize leading-tight text-fg-muted">{me.data.role}</span>
      </span>
      {error ? (
        <span role="alert" className="text-xs text-danger-fg">
          Not signed out: {error}
        </span>
      ) : null}
      <button
        type="button"
        onClick={() => void signOut()}
        disabled={isPending}
        className="rounded border border-border px-3 py-1.5 font-medium hover:border-accent focus:outline-none focus-visible:ring-2 focus-visible:ring-accent disabled:opacity-60"
      >
        Sign out
      </button>
    </div>
  );
}
