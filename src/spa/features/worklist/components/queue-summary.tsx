import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { describeGroupCount } from '../lib/grid-items.ts';
import type { WorklistGroup } from './worklist-group.ts';

const TONE: Record<Severity, string> = {
  stat: 'border-stat-border text-stat-fg',
  high: 'border-high-border text-high-fg',
  normal: 'border-border text-fg',
};

/**
 * Every group's count at a glance, whatever is scrolled into view; a click jumps to the group. One
 * meaning, said beside them: the studies in this list, exact where the queue's counts cover the view
 * (lib/counts-for-view.ts) or all of it is loaded, "N+" (at least N: more load as you scroll) otherwise.
 */
export function QueueSummary({ groups, onJump }: { groups: WorklistGroup[]; onJump: (severity: Severity) => void }) {
  return (
    <nav aria-label="Queues" className="flex items-center gap-1.5">
      {groups.map(({ severity, group, exact }) => {
        const failed = group.query.isError && group.studies.length === 0;
        return (
          <button
            key={severity}
            type="button"
            onClick={() => onJump(severity)}
            className={`inline-flex h-7 items-center gap-1.5 rounded-full border bg-panel px-2.5 text-xs font-semibold hover:border-accent ${TONE[severity]}`}
          >
            {SEVERITY_LABEL[severity]}
            <span
              className={`font-medium ${failed ? 'text-danger-fg' : 'text-fg-muted'}`}
              data-testid={`group-count-${severity}`}
              data-loaded={group.studies.length}
            >
              {failed ? '⚠ Not loaded' : describeGroupCount(group, exact)}
            </span>
          </button>
        );
      })}
      {/* "STAT 13 · High 100+ in this list": exactly 13, at least 100 (more load as you scroll). */}
      <span className="text-xs text-fg-muted">in this list</span>
    </nav>
  );
}
