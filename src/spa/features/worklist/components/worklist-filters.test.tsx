import { createRef, useState } from 'react';
import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { defaultFilters, type WorklistFilters } from '../../../../contract/worklist-filters.ts';
import { renderWithProviders } from '../../../testing/render.tsx';
import { WorklistFiltersBar } from './worklist-filters.tsx';

const VIEWER = { role: 'coordinator', userId: `usr_${'c0'.repeat(16)}` } as const;

/** The bar over filters the test sets, as the page's list would after its address changed. */
function renderBar(start: WorklistFilters) {
  const onChange = vi.fn<(next: WorklistFilters) => void>();
  const shown: { set?: (next: WorklistFilters) => void } = {};
  function Harness() {
    const [filters, setFilters] = useState(start);
    shown.set = setFilters;
    return (
      <WorklistFiltersBar
        filters={filters}
        viewer={VIEWER}
        roster={[]}
        customers={new Map()}
        onChange={onChange}
        searchRef={createRef()}
      />
    );
  }
  renderWithProviders(<Harness />);
  return { onChange, show: (next: WorklistFilters) => act(() => shown.set?.(next)) };
}

const dates = () => screen.getByLabelText<HTMLSelectElement>('Study date');

describe('WorklistFiltersBar, custom study dates', () => {
  it('keeps "Custom…" picked right after another date, while the list for that date is on its way', async () => {
    const start = defaultFilters(VIEWER);
    const { onChange, show } = renderBar(start);
    fireEvent.change(dates(), { target: { value: '7d' } });
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ studyDate: '7d' }));
    // The address has 7d; the bar still shows the filters before it when Custom… is picked.
    fireEvent.change(dates(), { target: { value: 'custom' } });
    show({ ...start, studyDate: '7d' });
    expect(await screen.findByLabelText('From')).toBeTruthy();
    expect(dates().value).toBe('custom');
  });

  it('ends "Custom…" when the dates change otherwise (Back, Clear)', async () => {
    const start: WorklistFilters = { ...defaultFilters(VIEWER), studyDate: '7d' };
    const { show } = renderBar(start);
    fireEvent.change(dates(), { target: { value: 'custom' } });
    expect(await screen.findByLabelText('From')).toBeTruthy();
    show({ ...start, studyDate: '' });
    expect(screen.queryByLabelText('From')).toBeNull();
    expect(dates().value).toBe('');
  });
});
