import { lazy, Suspense } from 'react';
import { Outlet, useSearchParams } from 'react-router';
import { AppLink } from '../components/app-link.tsx';
import { useAuthConfig } from '../lib/auth/get-auth-config.ts';
import { useConnectionMonitor } from '../lib/connection/use-connection.ts';
import { useLiveEventsMonitor } from '../lib/live/use-live-events.ts';
import { useMe } from '../lib/auth/get-me.ts';
import { ShortcutHelp } from '../lib/shortcuts/shortcut-help.tsx';
import { UserMenu } from '../features/auth/components/user-menu.tsx';
import { ThemeToggle } from '../features/worklist/components/theme-toggle.tsx';

// Only a page inside the portal's frame talks to the portal: its code loads only there.
const PortalBridge = lazy(async () => ({
  default: (await import('../features/portal/components/portal-bridge.tsx')).PortalBridge,
}));
const FRAMED = typeof window !== 'undefined' && window.parent !== window;

/**
 * The frame around every page: product header, then the page in the main landmark, filling the
 * window so the worklist scrolls inside itself. With `?embed=1` (the intranet portal's iframe) the
 * header is left out: the portal has its own.
 */
export function Layout() {
  const [params] = useSearchParams();
  const embedded = params.get('embed') === '1';
  const config = useAuthConfig();
  const me = useMe();
  // Whether the server can be reached, on every page: the worklist says when it cannot.
  useConnectionMonitor();
  // The live event stream, while someone is signed in: the worklist and the drawer follow it.
  useLiveEventsMonitor();
  return (
    <div className="flex h-dvh flex-col bg-surface text-fg">
      {FRAMED && (config.data?.portalOrigins.length ?? 0) > 0 ? (
        <Suspense fallback={null}>
          <PortalBridge portalOrigins={config.data?.portalOrigins ?? []} signedIn={Boolean(me.data)} />
        </Suspense>
      ) : null}
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-40 focus:rounded focus:bg-accent focus:px-3 focus:py-1.5 focus:text-accent-fg"
      >
        Skip to content
      </a>
      {embedded ? null : (
        <header className="shrink-0 border-b border-border bg-panel">
          <div className="flex h-12 items-center gap-3 px-4 sm:px-6">
            <AppLink
              to="/"
              className="flex items-center gap-2.5 rounded text-base font-semibold tracking-tight text-fg"
            >
              <img src="/favicon.svg" alt="" width={22} height={22} className="size-[22px]" />
              Radiology Worklist
            </AppLink>
            <div className="ml-auto flex items-center gap-3">
              {me.data?.role === 'coordinator' ? (
                <AppLink to="/dashboard" className="rounded px-2 py-1 text-sm font-medium text-fg-muted hover:text-fg">
                  Dashboard
                </AppLink>
              ) : null}
              <ThemeToggle />
              <UserMenu />
            </div>
          </div>
        </header>
      )}
      <main
        id="main"
        tabIndex={-1}
        className={`min-h-0 w-full flex-1 overflow-auto focus:outline-none ${embedded ? 'px-2 pt-2 pb-2' : 'px-4 pt-3 pb-4 sm:px-6'}`}
      >
        <Outlet />
      </main>
      <ShortcutHelp />
    </div>
  );
}
