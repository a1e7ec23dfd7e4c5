import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router';
import type { Study } from '../../contract/avara-types.ts';
import { actorOf } from '../../contract/permissions.ts';
import { useMe } from '../lib/auth/get-me.ts';
import { studyMatchesFilters } from '../lib/studies/study-matches-filters.ts';
import { useReadingRoomFeed } from '../features/reading/api/reading-room.ts';
import { useMePerson } from '../features/reading/api/use-me-person.ts';
import { StudyReadingCell } from '../features/reading/components/study-reading-cell.tsx';
import { AlertSettingsButton } from '../features/stat-alerts/components/alert-settings-button.tsx';
import { StatAlerts } from '../features/stat-alerts/components/stat-alerts.tsx';
import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';
import { useWorklistCellContext } from '../features/worklist/components/worklist-context.ts';
import { parseFilters, toListFilters } from '../../contract/worklist-filters.ts';
import { READING_COLUMN } from './reading-column.ts';

/*
 * What the worklist shows of the live reading room, loaded after its first screen: who reads each
 * study (a column), the feed that keeps that current, and the new-STAT alert with its options.
 */

function ReadingCell({ study }: { study: Study }) {
  const { now } = useWorklistCellContext();
  return <StudyReadingCell studyId={study.studyId} now={now} />;
}

/** The "Reading" column: who reads each study, or has it open. */
export const READING_COLUMNS: readonly WorklistExtraColumn[] = [{ ...READING_COLUMN, Cell: ReadingCell }];

/** Keeps the page's reading room current, and alerts on new STAT studies under the list's filters. */
export function ReadingRoom() {
  useReadingRoomFeed();
  const me = useMe().data ?? null;
  const person = useMePerson();
  const { search } = useLocation();
  const navigate = useNavigate();
  const { role, userId } = actorOf(me);
  const matchesView = useMemo(() => {
    const viewer = { role, userId };
    // The STAT group's own list query: the one the person would see the study in.
    const statFilters = toListFilters(parseFilters(new URLSearchParams(search), viewer), 'stat', viewer);
    return (study: Study) => studyMatchesFilters(study, statFilters);
  }, [search, role, userId]);
  const openStudy = useCallback(
    (studyId: string) => void navigate(`/studies/${encodeURIComponent(studyId)}${search}`),
    [navigate, search],
  );
  return <StatAlerts me={person} matchesView={matchesView} openStudy={openStudy} />;
}

export { AlertSettingsButton };
