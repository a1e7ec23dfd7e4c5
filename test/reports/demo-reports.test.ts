import { describe, expect, it } from 'vitest';
import { generateWebhookKey } from '../../src/bff/webhooks/webhook-keys.ts';
import { buildReportPdf, demoReportUrl, verifyDemoReportLink } from '../../src/avara-server/reports/demo-reports.ts';

const KEY = generateWebhookKey();
const STUDY = `stu_${'ab'.repeat(16)}`;
const REPORT = `rpt_${'cd'.repeat(16)}`;

describe('demo reports', () => {
  it('builds a PDF whose cross-reference table points at each object', () => {
    const pdf = buildReportPdf('Radiology report (x)', ['Line one', 'Müller \\ (two)']);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    const xrefAt = Number(/startxref\n(\d+)\n/.exec(text)?.[1]);
    expect(text.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const offsets = [...text.slice(xrefAt).matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, index) => expect(text.slice(offset).startsWith(`${index + 1} 0 obj`)).toBe(true));
    // Parentheses and backslashes are escaped; what Helvetica cannot show is replaced.
    expect(text).toContain('(M?ller \\\\ \\(two\\)) Tj');
  });

  it('signs its links: valid until they expire, refused when altered or signed with another key', () => {
    const now = Date.now();
    const url = new URL(
      demoReportUrl({
        baseUrl: 'http://127.0.0.1:8080',
        key: KEY,
        studyId: STUDY,
        reportId: REPORT,
        critical: true,
        now,
      }),
    );
    expect(url.pathname).toBe(`/avara-demo/reports/${STUDY}/${REPORT}`);
    const query = Object.fromEntries(url.searchParams);
    expect(verifyDemoReportLink(KEY, STUDY, REPORT, query, now)).toBe('valid');
    expect(verifyDemoReportLink(KEY, STUDY, REPORT, query, now + 3_601_000)).toBe('expired');
    expect(verifyDemoReportLink(KEY, STUDY, REPORT, { ...query, critical: '0' }, now)).toBe('invalid');
    expect(verifyDemoReportLink(KEY, `stu_${'ef'.repeat(16)}`, REPORT, query, now)).toBe('invalid');
    expect(verifyDemoReportLink(generateWebhookKey(), STUDY, REPORT, query, now)).toBe('invalid');
    expect(verifyDemoReportLink(KEY, STUDY, REPORT, {}, now)).toBe('invalid');
  });
});
