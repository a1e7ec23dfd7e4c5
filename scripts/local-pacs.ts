/**
 * `npm run pacs`: a local PACS for development. Starts Debian's Orthanc with the web viewer and
 * DICOMweb plugins for http://127.0.0.1:PACS_PORT (default 8042; no DICOM port), with its config
 * and storage under ./data/pacs/. Orthanc 1.10 cannot be told which address to listen on, so the
 * port is open on every interface; with remote access off it answers only 127.0.0.1 (401 to any
 * other client; test/pacs/orthanc-loopback.test.ts). It fills an empty PACS with PACS_STUDIES
 * (default 25) generated studies: phantom images, realistic patient and study tags, and a
 * Requested Procedure Priority mix. Ctrl-C stops it; the data stay for the next run.
 *
 * `npm run pacs -- --add 3`: while it runs, sends 3 new studies to it (new arrivals for the
 * worklist's sync loop) and exits.
 */
import { resolve } from 'node:path';
import { createOrthancStudy, demoStudySpec, startOrthanc } from '../test/support/orthanc.ts';

const port = Number(process.env.PACS_PORT ?? 8042);
const directory = resolve(process.env.PACS_DIR ?? 'data/pacs');
const initialStudies = Number(process.env.PACS_STUDIES ?? 25);
const url = `http://127.0.0.1:${port}`;

const addIndex = process.argv.indexOf('--add');
const toAdd = addIndex >= 0 ? Number(process.argv[addIndex + 1] ?? 1) : 0;

async function countStudies(): Promise<number | undefined> {
  try {
    const response = await fetch(`${url}/statistics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    const statistics: unknown = await response.json();
    return typeof statistics === 'object' && statistics !== null && 'CountStudies' in statistics
      ? Number(statistics.CountStudies)
      : undefined;
  } catch {
    return undefined;
  }
}

async function fill(count: number, firstIndex: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const spec = demoStudySpec(firstIndex + index);
    const series = 1 + Math.floor(Math.random() * 2);
    const study = await createOrthancStudy(
      { url, authorization: undefined },
      { ...spec, series, instancesPerSeries: 1 + Math.floor(Math.random() * 6), imageSize: 256 },
    );
    console.log(
      `  ${spec.priority?.padEnd(7)} ${spec.modality} ${spec.studyDescription || `${spec.modality} ${spec.bodyPart}`}  ${spec.patientName}  ${study.studyInstanceUid}`,
    );
  }
}

if (toAdd > 0) {
  const existing = await countStudies();
  if (existing === undefined) {
    console.error(`No local PACS answers on ${url}. Start it first with \`npm run pacs\`.`);
    process.exit(1);
  }
  console.log(`Sending ${toAdd} new studies to ${url}:`);
  await fill(toAdd, existing);
  process.exit(0);
}

if ((await countStudies()) !== undefined) {
  console.error(
    `Something already answers on ${url}: is \`npm run pacs\` running? Use PACS_PORT to pick another port.`,
  );
  process.exit(1);
}

let orthanc;
try {
  orthanc = await startOrthanc({ port, directory, stableAgeSeconds: 5, name: 'LOCAL-PACS' });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const running = orthanc;

const existing = (await countStudies()) ?? 0;
if (existing === 0 && initialStudies > 0) {
  console.log(`Filling the local PACS with ${initialStudies} studies:`);
  await fill(initialStudies, 0);
}

console.log(`
Local PACS (Orthanc) on ${url}, data in ${directory} (log: ${directory}/orthanc.log).
Point the worklist at it:   ORTHANC_URL=${url} npm start
New arrivals:               npm run pacs -- --add 3
Orthanc's own UI:           ${url}/app/explorer.html
Port ${port} is open on every interface (Orthanc 1.10 cannot listen on one); it answers only 127.0.0.1.
Ctrl-C stops it.`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await running.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// Keep the process alive while Orthanc runs.
setInterval(() => undefined, 60_000);
