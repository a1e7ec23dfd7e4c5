import { fireEvent, screen } from '@testing-library/react';
import { useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { renderRoutes } from '../testing/render.tsx';
import { AppLink } from './app-link.tsx';

function Page() {
  const { pathname, search } = useLocation();
  return (
    <>
      <p data-testid="at">{pathname + search}</p>
      <AppLink to={{ pathname: '/studies/s1', search: '?q=x' }} className="link">
        Open s1
      </AppLink>
      <AppLink to="/blocked" onClick={(event) => event.preventDefault()}>
        Blocked
      </AppLink>
    </>
  );
}

describe('AppLink', () => {
  it('is a link to the route’s address and moves there in place on a plain click', async () => {
    const { user } = renderRoutes([{ path: '*', element: <Page /> }], { route: '/' });
    const link = screen.getByRole('link', { name: 'Open s1' });
    expect(link.getAttribute('href')).toBe('/studies/s1?q=x');
    expect(link.className).toBe('link');
    await user.click(link);
    expect(screen.getByTestId('at').textContent).toBe('/studies/s1?q=x');
  });

  it('leaves a modified click to the browser (a new tab) and honours its own onClick preventing it', async () => {
    const { user } = renderRoutes([{ path: '*', element: <Page /> }], { route: '/' });
    fireEvent.click(screen.getByRole('link', { name: 'Open s1' }), { ctrlKey: true });
    expect(screen.getByTestId('at').textContent).toBe('/');
    await user.click(screen.getByRole('link', { name: 'Blocked' }));
    expect(screen.getByTestId('at').textContent).toBe('/');
  });
});
