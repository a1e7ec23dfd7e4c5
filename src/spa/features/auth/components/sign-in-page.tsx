import { Navigate, useSearchParams } from 'react-router';
import { safeReturnTo } from '../../../../contract/return-to.ts';
import type { DemoUser } from '../../../../contract/worklist-api.ts';
import { groupDemoUsers } from '../lib/demo-user-groups.ts';
import { useAuthConfig } from '../../../lib/auth/get-auth-config.ts';
import { useMe } from '../../../lib/auth/get-me.ts';
import { useSignIn } from '../../../lib/auth/sign-in.ts';

/** The sign-in screen: the demo picker in dev mode, the hospital sign-in button with OIDC. */
export function SignInPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('returnTo'));
  const me = useMe();
  const config = useAuthConfig();

  if (me.data) return <Navigate to={returnTo} replace />;

  return (
    <div className="mx-auto flex max-w-xl flex-col gap-6 py-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-1 text-sm text-fg-muted">The worklist shows patient information: sign in to continue.</p>
      </div>
      {config.isPending ? (
        <p className="text-sm text-fg-muted" role="status">
          Loading sign-in options…
        </p>
      ) : config.isError ? (
        <div role="alert" className="rounded-md border border-danger-border bg-danger-bg p-4 text-sm text-danger-fg">
          <p className="font-medium">Sign-in is not available right now.</p>
          <p className="mt-1">{config.error.message}</p>
          <button
            type="button"
            onClick={() => void config.refetch()}
            className="mt-3 rounded border border-danger-border px-3 py-1.5 font-medium"
          >
            Try again
          </button>
        </div>
      ) : config.data.mode === 'oidc' ? (
        <a
          href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}
          className="inline-flex w-fit items-center rounded-md bg-accent px-4 py-2 font-medium text-accent-fg focus:outline-none focus-visible:ring-2 focus-visible:ring-accent focus-visible:ring-offset-2 focus-visible:ring-offset-surface"
        >
          Sign in with your hospital account
        </a>
      ) : config.data.mode === 'proxy' ? (
        <p role="alert" className="rounded-md border border-border bg-panel p-4 text-sm">
          Your sign-in comes from the hospital portal, and it did not say who you are. Open the worklist from the
          portal, or ask IT to check the proxy.
        </p>
      ) : (
        <DemoUserPicker users={config.data.demoUsers ?? []} />
      )}
    </div>
  );
}

function DemoUserPicker({ users }: { users: DemoUser[] }) {
  const signIn = useSignIn();
  const groups = groupDemoUsers(users);
  return (
    <section aria-labelledby="demo-users" className="flex flex-col gap-4">
      <p id="demo-users" className="rounded-md border border-border bg-panel px-4 py-3 text-sm text-fg-muted">
        Demo sign-in: pick a person. No password is asked; this mode is refused in production.
      </p>
      {signIn.isError ? (
        <p
          role="alert"
          className="rounded-md border border-danger-border bg-danger-bg px-4 py-3 text-sm text-danger-fg"
        >
          {signIn.error.message}
        </p>
      ) : null}
      {groups.map(({ title, people }) =>
        people.length === 0 ? null : (
          <div key={title}>
            <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-fg-muted">{title}</h2>
            <ul className="grid gap-2 sm:grid-cols-2">
              {people.map((person) => (
                <li key={person.username}>
                  <button
                    type="button"
                    disabled={signIn.isPending}
                    onClick={() => signIn.mutate(person.username)}
                    className="flex w-full flex-col items-start rounded-md border border-border bg-panel px-3 py-2 text-left hover:border-accent focus:outline-none focus-visible:ring-2 focus-visible:ring-accent disabled:opacity-60"
                  >
                    <span className="font-medium">{person.name}</span>
                    <span className="text-xs text-fg-muted">
                      {person.clinicRole} · {person.duties} · {person.username}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}
