/** One line of the results table. `pass` is null for a figure shown for context, without a budget of its own. */
export interface BenchRow {
  figure: string;
  measure: string;
  value: string;
  budget: string;
  pass: boolean | null;
  /** A figure about correctness (double claims, say), not speed: its failure fails a quick run too. */
  correctness?: boolean;
}

export function row(
  figure: string,
  measure: string,
  value: string,
  budget: string,
  pass: boolean | null,
  correctness = false,
): BenchRow {
  return { figure, measure, value, budget, pass, ...(correctness ? { correctness } : {}) };
}

/** The rows as one markdown table. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = ['| # | Figure | Measured | Budget | Result |', '|---|---|---:|---|---|'];
  for (const entry of rows) {
    const result = entry.pass === null ? '—' : entry.pass ? 'pass' : '**FAIL**';
    lines.push(
      `| ${entry.figure} | ${escape(entry.measure)} | ${escape(entry.value)} | ${escape(entry.budget)} | ${result} |`,
    );
  }
  return lines.join('\n');
}
