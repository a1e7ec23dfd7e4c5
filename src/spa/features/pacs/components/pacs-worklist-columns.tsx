import type { ReactNode } from 'react';
import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { formatPacsCounts, formatStudyDate } from '../lib/format-pacs.ts';
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

export interface PacsColumn {
  id: string;
  header: string;
  size: number;
  minSize: number;
  /** The built-in column it follows by default. */
  after: string;
  Cell: (props: PacsCellProps) => ReactNode;
}

/**
 * The worklist's PACS columns, inside {@link PacsRowsProvider}. Patient and modality sit beside the
 * description, where a radiologist looks first; the rest after the waiting time.
 */
export const pacsWorklistColumns: readonly PacsColumn[] = [
  { id: 'pacsPatient', header: 'Patient', size: 160, minSize: 100, after: 'description', Cell: PatientCell },
  { id: 'pacsPatientId', header: 'Patient ID', size: 104, minSize: 80, after: 'pacsPatient', Cell: PatientIdCell },
  { id: 'pacsModality', header: 'Modality', size: 84, minSize: 70, after: 'pacsPatientId', Cell: ModalityCell },
  { id: 'pacsAccession', header: 'Accession', size: 124, minSize: 90, after: 'waiting', Cell: AccessionCell },
  { id: 'pacsStudyDate', header: 'Study date', size: 104, minSize: 90, after: 'pacsAccession', Cell: StudyDateCell },
  { id: 'pacsImages', header: 'Series / images', size: 124, minSize: 90, after: 'pacsStudyDate', Cell: ImagesCell },
];
