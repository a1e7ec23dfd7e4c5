import type { AnchorHTMLAttributes } from 'react';
import { useHref, useLinkClickHandler } from 'react-router';
import type { To } from 'react-router';

export type AppLinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: To };

/**
 * A link to a page of the app: an `<a>` with the route's address that moves in place on a plain
 * click (a modified or middle click opens a tab, as any link does), with the same click handling as
 * React Router's `Link`. That `Link` also carries framework-mode page prefetching (route modules,
 * prefetch links), which this SPA never uses, and which would cost the first screen about 2 KB gzip.
 */
export function AppLink({ to, onClick, target, ...rest }: AppLinkProps) {
  const href = useHref(to);
  const navigateOnClick = useLinkClickHandler<HTMLAnchorElement>(to, { target });
  return (
    // eslint-disable-next-line jsx-a11y/anchor-has-content -- the content is the caller's children, passed on in `rest`
    <a
      {...rest}
      href={href}
      target={target}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) navigateOnClick(event);
      }}
    />
  );
}
