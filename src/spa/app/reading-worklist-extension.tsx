import { useReadingRoomFeed } from '../features/reading/api/reading-room.ts';
import { useMePerson } from '../features/reading/api/use-me-person.ts';
import { StudyReadingCell } from '../features/reading/components/study-reading-cell.tsx';
import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';
import { useWorklistCellContext } from '../features/worklist/components/worklist-context.ts';
import type { Study } from '../../contract/avara-types.ts';

function ReadingCell({ study }: { study: Study }) {
  const { now } = useWorklistCellContext();
  const me = useMePerson();
  return <StudyReadingCell studyId={study.studyId} now={now} me={me} />;
}

/** The "Reading" column: who reads each study, or has it open. */
export const READING_COLUMNS: readonly WorklistExtraColumn[] = [
  { id: 'reading', header: 'Reading', size: 190, minSize: 110, after: 'viewerStatus', Cell: ReadingCell },
];

/** Keeps the page's reading room (leases, presence) current while the list is shown. */
export function ReadingRoomFeed() {
  useReadingRoomFeed();
  return null;
}
