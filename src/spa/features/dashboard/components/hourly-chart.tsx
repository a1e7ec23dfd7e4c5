import { useId } from 'react';
import type { HourFigure } from '../../../../contract/dashboard-api.ts';
import { formatHour } from '../lib/dashboard-format.ts';

const WIDTH = 960;
const HEIGHT = 170;
const PAD = { top: 8, right: 8, bottom: 22, left: 32 };

/** A round step for the axis: 1, 2, 5, 10, 20, 50, … */
function niceMax(value: number): number {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((each) => each * magnitude >= value / 4) ?? 10;
  return Math.ceil(value / (step * magnitude)) * step * magnitude;
}

/**
 * Arrivals and completions per hour over 24 hours: a small SVG bar chart (drawn here, no chart
 * library: docs/decisions/031) that screen readers skip for its table, which anyone can open below.
 * Arrivals are solid, completions hatched, so the two read apart without colour.
 */
export function HourlyChart({ hours }: { hours: HourFigure[] }) {
  // An ID that can stand in url(#…) as it is.
  const id = `hourly${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const top = niceMax(Math.max(1, ...hours.map((hour) => Math.max(hour.arrivals, hour.completions))));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, hours.length);
  const bar = Math.max(2, slot / 2 - 2);
  const y = (count: number) => PAD.top + plotHeight - (count / top) * plotHeight;
  const totals = hours.reduce(
    (sum, hour) => ({ arrivals: sum.arrivals + hour.arrivals, completions: sum.completions + hour.completions }),
    { arrivals: 0, completions: 0 },
  );
  return (
    <figure aria-labelledby={`${id}-caption`} className="m-0">
      <figcaption id={`${id}-caption`} className="mb-2 text-sm text-fg-muted">
        Last 24 hours: {totals.arrivals} arrived, {totals.completions} read.
      </figcaption>
      <div className="flex items-center gap-4 text-xs text-fg-muted" aria-hidden="true">
        <span className="inline-flex items-center gap-1.5">
          <svg width="12" height="12" className="text-accent">
            <rect width="12" height="12" fill="currentColor" />
          </svg>
          Arrivals
        </span>
        <span className="inline-flex items-center gap-1.5">
          <svg width="12" height="12" className="text-success-fg">
            <rect width="12" height="12" fill={`url(#${id}-hatch)`} stroke="currentColor" />
          </svg>
          Completions
        </span>
      </div>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" aria-hidden="true" focusable="false">
        <defs>
          <pattern id={`${id}-hatch`} patternUnits="userSpaceOnUse" width="4" height="4" patternTransform="rotate(45)">
            <rect width="4" height="4" className="fill-success-fg/25" />
            <line x1="0" y1="0" x2="0" y2="4" className="stroke-success-fg" strokeWidth="2" />
          </pattern>
        </defs>
        {[0, top / 2, top].map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
              className="stroke-border"
              strokeWidth="1"
            />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="fill-fg-muted text-[11px]">
              {tick}
            </text>
          </g>
        ))}
        {hours.map((hour, index) => {
          const x = PAD.left + index * slot + 1;
          return (
            <g key={hour.hour}>
              <rect x={x} y={y(hour.arrivals)} width={bar} height={y(0) - y(hour.arrivals)} className="fill-accent" />
              <rect
                x={x + bar + 1}
                y={y(hour.completions)}
                width={bar}
                height={y(0) - y(hour.completions)}
                fill={`url(#${id}-hatch)`}
                className="stroke-success-fg"
                strokeWidth="1"
              />
              {index % 3 === 0 ? (
                <text x={x + bar} y={HEIGHT - 6} textAnchor="middle" className="fill-fg-muted text-[11px]">
                  {formatHour(hour.hour)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer rounded text-accent focus-visible:outline-2 focus-visible:outline-accent">
          Show as a table
        </summary>
        <table className="mt-2 w-full max-w-md text-left tabular-nums">
          <caption className="sr-only">Arrivals and completions per hour, last 24 hours</caption>
          <thead>
            <tr className="text-fg-muted">
              <th scope="col" className="py-1 font-medium">
                Hour
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Arrivals
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Completions
              </th>
            </tr>
          </thead>
          <tbody>
            {hours.map((hour) => (
              <tr key={hour.hour} className="border-t border-border">
                <th scope="row" className="py-0.5 font-normal">
                  {formatHour(hour.hour)}
                </th>
                <td className="py-0.5 text-right">{hour.arrivals}</td>
                <td className="py-0.5 text-right">{hour.completions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
