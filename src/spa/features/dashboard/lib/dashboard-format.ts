import type { ComplianceFigure } from '../../../../contract/dashboard-api.ts';

/** "42 m", "3 h 05 m", "—" when nothing was read. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes < 60) return `${Math.round(minutes)} m`;
  const whole = Math.round(minutes);
  const hours = Math.floor(whole / 60);
  if (hours < 48) return `${hours} h ${String(whole % 60).padStart(2, '0')} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** "92%", "—" when nothing counts. */
export function formatShare(figure: ComplianceFigure): string {
  return figure.share === null ? '—' : `${Math.round(figure.share * 100)}%`;
}

/** The hour's start in the browser's time zone, "14:00". */
export function formatHour(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** Today as the date input wants it (the browser's time zone). */
export function todayDate(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}
