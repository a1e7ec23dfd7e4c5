import { Link, Outlet } from 'react-router';
import { UserMenu } from '../features/auth/components/user-menu.tsx';

/** The frame around every page: product header, then the page in the main landmark. */
export function Layout() {
  return (
    <div className="flex min-h-screen flex-col bg-surface text-fg">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-10 focus:rounded focus:bg-accent focus:px-3 focus:py-1.5 focus:text-accent-fg"
      >
        Skip to content
      </a>
      <header className="border-b border-border bg-panel">
        <div className="mx-auto flex h-14 max-w-screen-2xl items-center gap-3 px-4 sm:px-6">
          <Link to="/" className="flex items-center gap-2.5 rounded text-base font-semibold tracking-tight text-fg">
            <img src="/favicon.svg" alt="" width={24} height={24} className="size-6" />
            Radiology Worklist
          </Link>
          <UserMenu />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-screen-2xl flex-1 px-4 pt-6 pb-12 focus:outline-none sm:px-6">
        <Outlet />
      </main>
    </div>
  );
}
