/**
 * `npm run demo:report -- <studyId> [--critical] [--text "…"]`: plays Avara's side of
 * `report.delivered` against a running worklist with the bundled server (docs/api.md, "Reports and critical results").
 * It sends a report for the study, signed with the shared webhook key, with a link to its PDF that the
 * bundled server serves for an hour. Reads WORKLIST_URL (default http://localhost:$PORT, PORT 8080),
 * and AVARA_WEBHOOK_KEY or else the key the bundled server generated into DATA_DIR (./data).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deliverDemoReport } from '../src/avara-server/reports/demo-reports.ts';
import { GENERATED_WEBHOOK_KEY_FILE, webhookKeysOf } from '../src/bff/webhooks/webhook-keys.ts';

const USAGE = 'Usage: npm run demo:report -- <studyId> [--critical] [--text "report text"]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    critical: { type: 'boolean', default: false },
    text: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const [studyId] = positionals;
if (values.help || !studyId || !/^stu_[0-9a-f]{32}$/.test(studyId)) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}

const worklistUrl = (process.env.WORKLIST_URL ?? `http://localhost:${process.env.PORT ?? '8080'}`).replace(/\/+$/, '');
const [key] = webhookKeysOf(process.env.AVARA_WEBHOOK_KEY ?? readGeneratedKey(process.env.DATA_DIR ?? './data'));
if (!key) {
  console.error(
    'No webhook key: set AVARA_WEBHOOK_KEY, or DATA_DIR to the folder of a worklist running the bundled server.',
  );
  process.exit(2);
}

const answer = await deliverDemoReport({
  webhookUrl: `${worklistUrl}/webhooks/avara`,
  key,
  pdfBaseUrl: worklistUrl,
  studyId,
  critical: values.critical,
  ...(values.text ? { plainText: values.text } : {}),
}).catch((error: unknown) => {
  console.error(
    `The worklist at ${worklistUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
console.log(
  `${values.critical ? 'Critical report' : 'Report'} ${answer.reportId} for ${studyId}: ${answer.status} ${answer.body}`,
);
process.exitCode = answer.status === 200 ? 0 : 1;

function readGeneratedKey(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, GENERATED_WEBHOOK_KEY_FILE), 'utf8').trim();
  } catch {
    return '';
  }
}
