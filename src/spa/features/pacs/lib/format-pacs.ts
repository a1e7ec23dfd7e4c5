import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';

type FoundContext = Extract<PacsStudyContext, { found: true }>;

const countFormatter = new Intl.NumberFormat();
const dateFormatter = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** "2 series · 14 images" (singular where it is one). */
export function formatPacsCounts({
  seriesCount,
  instanceCount,
}: Pick<FoundContext, 'seriesCount' | 'instanceCount'>): string {
  return `${countFormatter.format(seriesCount)} series · ${countFormatter.format(instanceCount)} ${instanceCount === 1 ? 'image' : 'images'}`;
}

/** The study date as a readable day; the PACS date has no time zone, so it is shown as written. */
export function formatStudyDate(isoDate: string | null): string | null {
  if (!isoDate) return null;
  const date = new Date(`${isoDate}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateFormatter.format(date);
}
