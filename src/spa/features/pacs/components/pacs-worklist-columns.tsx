import type { ReactNode } from 'react';
import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { formatPacsCounts, formatStudyDate } from '../lib/format-pacs.ts';
import { PACS_COLUMN_SLOTS, type PacsColumnSlot } from '../lib/pacs-column-slots.ts';
import { usePacsRow } from './pacs-rows-provider.tsx';

type FoundContext = Extract<PacsStudyContext, { found: true }>;
interface PacsCellProps {
  study: { studyInstanceUid: string; metadata?: Record<string, string> | null | undefined };
}

function Placeholder() {
  return (
    <>
      <span aria-hidden="true" className="block h-2 w-14 rounded-full bg-border/70" />
      <span className="sr-only">Loading from the PACS</span>
    </>
  );
}

function Missing({ title }: { title: string }) {
  return (
    <span className="text-fg-muted" title={title}>
      —
    </span>
  );
}

/**
 * A PACS cell: the value when the study is found. A study the PACS does not have (or while it is
 * unavailable) gets one quiet marker, in the Patient cell; the other PACS cells stay empty rather
 * than repeat it, unless the worklist's own metadata knows the value (`fallback`).
 */
function usePacsCell(
  study: PacsCellProps['study'],
  show: (context: FoundContext) => ReactNode,
  fallback?: ReactNode,
): ReactNode {
  const row = usePacsRow(study.studyInstanceUid);
  if (row.status === 'loading') return <Placeholder />;
  if (row.status === 'unavailable' || !row.context.found) return fallback ?? null;
  return show(row.context);
}

/** The accession number the worklist's own metadata holds (`accessionNumber`, however spelled), if any. */
export function metadataAccession(metadata: Record<string, string> | null | undefined): string | undefined {
  const entry = Object.entries(metadata ?? {}).find(([key]) => /^accession(_?number)?$/i.test(key));
  const value = entry?.[1]?.trim();
  return value ? value : undefined;
}

function Text({ value, className = '' }: { value: string; className?: string }) {
  if (!value) return <Missing title="Not recorded in the PACS" />;
  return (
    <span className={`truncate ${className}`} title={value}>
      {value}
    </span>
  );
}

function PatientCell({ study }: PacsCellProps) {
  const row = usePacsRow(study.studyInstanceUid);
  if (row.status === 'loading') return <Placeholder />;
  if (row.status === 'unavailable') {
    return (
      <span className="truncate text-fg-muted italic" title={row.reason}>
        PACS unavailable
      </span>
    );
  }
  if (!row.context.found) return <span className="truncate text-fg-muted italic">Not in PACS</span>;
  return <Text value={row.context.patientName} className="font-medium" />;
}

function PatientIdCell({ study }: PacsCellProps) {
  return usePacsCell(study, (context) => <Text value={context.patientId} className="font-mono text-xs" />);
}

function ModalityCell({ study }: PacsCellProps) {
  return usePacsCell(study, (context) => <Text value={context.modalities.join(', ')} className="font-semibold" />);
}

function StudyDateCell({ study }: PacsCellProps) {
  return usePacsCell(study, (context) => {
    const shown = formatStudyDate(context.studyDate);
    return shown && context.studyDate ? (
      <time dateTime={context.studyDate} className="whitespace-nowrap">
        {shown}
      </time>
    ) : (
      <Missing title="No study date in the PACS" />
    );
  });
}

/** The PACS's accession number; when the PACS has none (or not the study), the one in the study's metadata. */
function AccessionCell({ study }: PacsCellProps) {
  const own = metadataAccession(study.metadata);
  const fromMetadata = own ? <Text value={own} className="font-mono text-xs" /> : undefined;
  return usePacsCell(
    study,
    (context) =>
      context.accessionNumber ? (
        <Text value={context.accessionNumber} className="font-mono text-xs" />
      ) : (
        (fromMetadata ?? <Missing title="Not recorded in the PACS" />)
      ),
    fromMetadata,
  );
}

/** "2 / 14" in the narrow column; the words for screen readers and on hover. */
function ImagesCell({ study }: PacsCellProps) {
  return usePacsCell(study, (context) => (
    <span className="truncate tabular-nums" title={formatPacsCounts(context)}>
      <span aria-hidden="true">
        {context.seriesCount} / {context.instanceCount}
      </span>
      <span className="sr-only">{formatPacsCounts(context)}</span>
    </span>
  ));
}

export interface PacsColumn extends PacsColumnSlot {
  Cell: (props: PacsCellProps) => ReactNode;
}

const CELLS: Record<string, PacsColumn['Cell']> = {
  pacsPatient: PatientCell,
  pacsPatientId: PatientIdCell,
  pacsModality: ModalityCell,
  pacsAccession: AccessionCell,
  pacsStudyDate: StudyDateCell,
  pacsImages: ImagesCell,
};

/**
 * The worklist's PACS columns, inside {@link PacsRowsProvider}: their slots (src/spa/features/pacs/
 * lib/pacs-column-slots.ts, in the list's own bundle) with their cells.
 */
export const pacsWorklistColumns: readonly PacsColumn[] = PACS_COLUMN_SLOTS.map((slot) => ({
  ...slot,
  Cell: CELLS[slot.id] ?? (() => null),
}));
