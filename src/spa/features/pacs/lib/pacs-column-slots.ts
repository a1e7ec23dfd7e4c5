/** A PACS column's place in the worklist, without its cells: what the first render needs of it. */
export interface PacsColumnSlot {
  id: string;
  header: string;
  size: number;
  minSize: number;
  /** The built-in column it follows by default. */
  after: string;
}

/**
 * The worklist's PACS columns' slots. The grid lays them out from its first render on (on the
 * server too) whenever a PACS is connected, so the columns do not move when the cells' code and the
 * rows' context arrive. Patient and modality sit beside the description, where a radiologist looks
 * first; the rest after the waiting time.
 */
export const PACS_COLUMN_SLOTS: readonly PacsColumnSlot[] = [
  { id: 'pacsPatient', header: 'Patient', size: 160, minSize: 100, after: 'description' },
  { id: 'pacsPatientId', header: 'Patient ID', size: 104, minSize: 80, after: 'pacsPatient' },
  { id: 'pacsModality', header: 'Modality', size: 84, minSize: 70, after: 'pacsPatientId' },
  { id: 'pacsAccession', header: 'Accession', size: 124, minSize: 90, after: 'waiting' },
  { id: 'pacsStudyDate', header: 'Study date', size: 104, minSize: 90, after: 'pacsAccession' },
  { id: 'pacsImages', header: 'Series / images', size: 124, minSize: 90, after: 'pacsStudyDate' },
];
