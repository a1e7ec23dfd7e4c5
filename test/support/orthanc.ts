/**
 * A real Orthanc (Debian's /usr/sbin/Orthanc) for tests and for `npm run pacs`: started with its own
 * JSON config, reached on 127.0.0.1, remote access refused, no DICOM port, the web viewer and
 * DICOMweb plugins, and filled through `POST /tools/create-dicom` with generated phantom images.
 * Orthanc 1.10 has no setting for the address it listens on: its HTTP port is bound on every
 * interface, and `RemoteAccessAllowed: false` makes it answer 401, with no data, to any client that
 * is not 127.0.0.1 (test/pacs/orthanc-loopback.test.ts checks both).
 * Nothing here installs anything: without Orthanc it fails and says how to get it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { freePort } from './free-port.ts';
import { logTail, serverProcess } from './server-process.ts';

export const ORTHANC_BINARY = process.env.ORTHANC_BINARY ?? '/usr/sbin/Orthanc';
const PLUGIN_DIR = '/usr/share/orthanc/plugins';
const PLUGINS = ['libOrthancWebViewer.so', 'libOrthancDicomWeb.so'];

export interface OrthancOptions {
  /** Loopback HTTP port; a free one when absent. */
  port?: number;
  /** Folder for the config, the database and the log; a temporary one (removed by `dispose`) when absent. */
  directory?: string;
  /** Seconds without a new instance before a study is reported stable (Orthanc's default is 60). */
  stableAgeSeconds?: number;
  name?: string;
  credentials?: { username: string; password: string };
}

export interface RunningOrthanc {
  url: string;
  port: number;
  directory: string;
  /** Basic auth header value when credentials are on. */
  authorization: string | undefined;
  /**
   * Stops the process and resolves once it has exited; data stay. SIGTERM (the default) lets
   * Orthanc shut down, with SIGKILL after a grace time; SIGKILL is a crash.
   */
  stop(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Starts it again on the same port with the same data (and config). */
  start(): Promise<void>;
  /** The running Orthanc's process ID. */
  pid(): number | undefined;
  /** Stops it and removes a temporary folder. */
  dispose(): Promise<void>;
}

/** Starts Orthanc and resolves once its REST API answers. */
export async function startOrthanc(options: OrthancOptions = {}): Promise<RunningOrthanc> {
  if (!existsSync(ORTHANC_BINARY)) {
    throw new Error(
      `Orthanc is not installed (${ORTHANC_BINARY} is missing). Install it with ` +
        '`sudo apt-get install orthanc orthanc-webviewer orthanc-dicomweb` (.ci/run does this), or set ORTHANC_BINARY.',
    );
  }
  const temporary = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'rw-orthanc-'));
  mkdirSync(join(directory, 'db'), { recursive: true });
  const port = options.port ?? (await freePort());
  const plugins = PLUGINS.map((file) => join(PLUGIN_DIR, file)).filter((path) => existsSync(path));
  const config = {
    Name: options.name ?? 'RW-TEST',
    HttpPort: port,
    RemoteAccessAllowed: false,
    DicomServerEnabled: false,
    StorageDirectory: join(directory, 'db'),
    IndexDirectory: join(directory, 'db'),
    StableAge: options.stableAgeSeconds ?? 1,
    AuthenticationEnabled: options.credentials !== undefined,
    ...(options.credentials
      ? { RegisteredUsers: { [options.credentials.username]: options.credentials.password } }
      : {}),
    HttpCompressionEnabled: false,
    SaveJobs: false,
    Plugins: plugins,
  };
  const configPath = join(directory, 'orthanc.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const logPath = join(directory, 'orthanc.log');
  const url = `http://127.0.0.1:${port}`;
  const authorization = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;

  const server = serverProcess({
    command: ORTHANC_BINARY,
    args: [configPath],
    cwd: directory,
    outputPath: logPath,
    ready: () =>
      fetch(`${url}/system`, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(1_000),
      }).then(
        (response) => response.ok,
        () => false, // not listening yet
      ),
    what: `Orthanc on ${url}`,
    logs: () => logTail(logPath),
    startTimeoutMs: 30_000,
    pollMs: 50,
    graceMs: 10_000,
  });
  const { start, stop } = server;

  await start();
  return {
    url,
    port,
    directory,
    authorization,
    stop,
    start,
    pid: server.pid,
    async dispose() {
      await stop();
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface DemoStudySpec {
  patientName: string;
  patientId: string;
  patientBirthDate?: string;
  patientSex?: 'F' | 'M' | 'O';
  studyInstanceUid?: string;
  studyDescription: string;
  modality: string;
  bodyPart: string;
  accessionNumber: string;
  studyDate?: string;
  studyTime?: string;
  /** Requested Procedure Priority (0040,1003): STAT, HIGH, ROUTINE, MEDIUM, LOW. */
  priority?: string;
  series?: number;
  instancesPerSeries?: number;
  /** Phantom image size in pixels. */
  imageSize?: number;
  /** Specific Character Set (0008,0005), e.g. `ISO_IR 192` (UTF-8) for names with accents. */
  characterSet?: string;
}

export interface CreatedStudy {
  studyInstanceUid: string;
  orthancStudyId: string;
  seriesIds: string[];
  instanceIds: string[];
}

/** Creates a study in Orthanc, one `/tools/create-dicom` per instance ("Force": the UIDs are ours). */
export async function createOrthancStudy(
  orthanc: Pick<RunningOrthanc, 'url' | 'authorization'>,
  spec: DemoStudySpec,
): Promise<CreatedStudy> {
  const studyInstanceUid = spec.studyInstanceUid ?? generateUid();
  const size = spec.imageSize ?? 128;
  const seriesIds = new Set<string>();
  const instanceIds: string[] = [];
  let orthancStudyId = '';
  const now = new Date();
  for (let seriesNumber = 1; seriesNumber <= (spec.series ?? 1); seriesNumber++) {
    const seriesInstanceUid = generateUid();
    for (let instanceNumber = 1; instanceNumber <= (spec.instancesPerSeries ?? 1); instanceNumber++) {
      const image = phantomPng(size, {
        slice: instanceNumber / ((spec.instancesPerSeries ?? 1) + 1),
        seed: seriesNumber,
      });
      const answer = await orthancPost(orthanc, '/tools/create-dicom', {
        Force: true,
        Tags: {
          PatientName: spec.patientName,
          PatientID: spec.patientId,
          PatientBirthDate: spec.patientBirthDate ?? '19700101',
          PatientSex: spec.patientSex ?? 'O',
          StudyInstanceUID: studyInstanceUid,
          SeriesInstanceUID: seriesInstanceUid,
          SOPInstanceUID: generateUid(),
          StudyDescription: spec.studyDescription,
          SeriesDescription: `${spec.modality} ${spec.bodyPart} series ${seriesNumber}`,
          Modality: spec.modality,
          BodyPartExamined: spec.bodyPart,
          AccessionNumber: spec.accessionNumber,
          StudyDate: spec.studyDate ?? dicomDate(now),
          StudyTime: spec.studyTime ?? dicomTime(now),
          SeriesNumber: String(seriesNumber),
          InstanceNumber: String(instanceNumber),
          ...(spec.priority ? { RequestedProcedurePriority: spec.priority } : {}),
          ...(spec.characterSet ? { SpecificCharacterSet: spec.characterSet } : {}),
        },
        Content: `data:image/png;base64,${image.toString('base64')}`,
      });
      const created = typeof answer === 'object' && answer !== null ? answer : {};
      if (
        !('ID' in created) ||
        typeof created.ID !== 'string' ||
        !('ParentSeries' in created) ||
        !('ParentStudy' in created)
      ) {
        throw new Error(`create-dicom answered ${JSON.stringify(answer)}`);
      }
      instanceIds.push(created.ID);
      seriesIds.add(String(created.ParentSeries));
      orthancStudyId = String(created.ParentStudy);
    }
  }
  return { studyInstanceUid, orthancStudyId, seriesIds: [...seriesIds], instanceIds };
}

const FAMILY = [
  'SMITH',
  'GARCIA',
  'NGUYEN',
  'MULLER',
  'OKAFOR',
  "O'BRIEN",
  'KOWALSKI',
  'TANAKA',
  'JOHANSSON',
  'DUBOIS',
  'ROSSI',
  'PATEL',
];
const GIVEN = ['JANE', 'JOHN', 'MARIA', 'AHMED', 'LI', 'SOFIA', 'PETER', 'AMARA', 'LUCAS', 'EMMA', 'KENJI', 'ANNA'];
const EXAMS = [
  { modality: 'CT', bodyPart: 'CHEST', description: 'CT Chest with Contrast' },
  { modality: 'CT', bodyPart: 'HEAD', description: 'CT Head without Contrast' },
  { modality: 'MR', bodyPart: 'BRAIN', description: 'MRI Brain with and without Contrast' },
  { modality: 'MR', bodyPart: 'KNEE', description: 'MRI Knee Left without Contrast' },
  { modality: 'CR', bodyPart: 'CHEST', description: 'XR Chest 2 Views' },
  { modality: 'US', bodyPart: 'ABDOMEN', description: 'US Abdomen Complete' },
  { modality: 'MG', bodyPart: 'BREAST', description: 'Mammogram Screening Bilateral' },
  { modality: 'CT', bodyPart: 'ABDOMEN', description: '' },
];

/** A plausible study: names, exam, accession, a priority mix of about 5% STAT and 20% HIGH. */
export function demoStudySpec(index: number, random: () => number = Math.random): DemoStudySpec {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] ?? list[0]!;
  const exam = pick(EXAMS);
  const roll = random();
  const daysAgo = Math.floor(random() * 30);
  const date = new Date(Date.now() - daysAgo * 86_400_000);
  const birthYear = 1930 + Math.floor(random() * 80);
  return {
    patientName: `${pick(FAMILY)}^${pick(GIVEN)}${random() < 0.4 ? `^${String.fromCharCode(65 + Math.floor(random() * 26))}` : ''}`,
    patientId: `MRN${String(100000 + Math.floor(random() * 900000))}`,
    patientBirthDate: `${birthYear}${String(1 + Math.floor(random() * 12)).padStart(2, '0')}${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
    patientSex: random() < 0.5 ? 'F' : 'M',
    studyDescription: exam.description,
    modality: exam.modality,
    bodyPart: exam.bodyPart,
    accessionNumber: `ACC${dicomDate(date)}${String(index).padStart(4, '0')}`,
    studyDate: dicomDate(date),
    studyTime: dicomTime(date),
    priority: roll < 0.05 ? 'STAT' : roll < 0.25 ? 'HIGH' : 'ROUTINE',
  };
}

/** Orthanc study IDs that are stable now (one expanded find). */
export async function stableStudyIds(orthanc: Pick<RunningOrthanc, 'url' | 'authorization'>): Promise<Set<string>> {
  const studies = await orthancPost(orthanc, '/tools/find', { Level: 'Study', Expand: true, Query: {} });
  const stable = new Set<string>();
  for (const study of Array.isArray(studies) ? studies : []) {
    if (typeof study === 'object' && study !== null && 'IsStable' in study && study.IsStable === true && 'ID' in study)
      stable.add(String(study.ID));
  }
  return stable;
}

/** Waits (polling, with a deadline) until Orthanc has reported every one of these studies stable. */
export async function waitForStableStudies(
  orthanc: Pick<RunningOrthanc, 'url' | 'authorization'>,
  orthancStudyIds: string[],
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    async () => {
      const stable = await stableStudyIds(orthanc);
      return orthancStudyIds.every((id) => stable.has(id));
    },
    timeoutMs,
    `${orthancStudyIds.length} studies to become stable in Orthanc`,
  );
}

/** Polls `check` every `intervalMs` until it answers true; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

export async function orthancPost(
  orthanc: Pick<RunningOrthanc, 'url' | 'authorization'>,
  path: string,
  body: unknown,
): Promise<unknown> {
  const response = await fetch(`${orthanc.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(orthanc.authorization ? { authorization: orthanc.authorization } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`Orthanc answered ${response.status} to POST ${path}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** A random DICOM UID under 2.25 (the UUID-derived root): at most 44 characters. */
export function generateUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString(10)}`;
}

// Shepp-Logan-like head phantom: [intensity, semi-axis a, semi-axis b, centre x, centre y, angle in degrees].
const ELLIPSES: ReadonlyArray<readonly [number, number, number, number, number, number]> = [
  [1, 0.69, 0.92, 0, 0, 0],
  [-0.8, 0.6624, 0.874, 0, -0.0184, 0],
  [-0.2, 0.11, 0.31, 0.22, 0, -18],
  [-0.2, 0.16, 0.41, -0.22, 0, 18],
  [0.1, 0.21, 0.25, 0, 0.35, 0],
  [0.1, 0.046, 0.046, 0, 0.1, 0],
  [0.1, 0.046, 0.046, 0, -0.1, 0],
  [0.1, 0.046, 0.023, -0.08, -0.605, 0],
  [0.1, 0.023, 0.023, 0, -0.606, 0],
  [0.1, 0.023, 0.046, 0.06, -0.605, 0],
];

/**
 * An 8-bit greyscale PNG of the phantom, encoded with node:zlib. `slice` (0-1) scales the inner
 * structures so a series looks like it moves through a volume; `seed` varies the contrast.
 */
export function phantomPng(size: number, { slice = 0.5, seed = 1 }: { slice?: number; seed?: number } = {}): Buffer {
  const rowLength = size + 1;
  const raw = Buffer.alloc(rowLength * size);
  const depth = 1 - Math.abs(slice - 0.5) * 1.2;
  const ellipses = ELLIPSES.map(([value, a, b, x0, y0, degrees], index) => {
    const scale = index < 2 ? 1 : depth;
    const angle = (degrees * Math.PI) / 180;
    return {
      value: value * (index >= 4 ? 1 + 0.3 * (seed % 3) : 1),
      a: a * scale,
      b: b * scale,
      x0,
      y0,
      cos: Math.cos(angle),
      sin: Math.sin(angle),
    };
  });
  for (let row = 0; row < size; row++) {
    raw[row * rowLength] = 0; // filter: none
    const y = 1 - (2 * (row + 0.5)) / size;
    for (let column = 0; column < size; column++) {
      const x = (2 * (column + 0.5)) / size - 1;
      let value = 0;
      for (const e of ellipses) {
        const dx = x - e.x0;
        const dy = y - e.y0;
        const u = (dx * e.cos + dy * e.sin) / e.a;
        const v = (-dx * e.sin + dy * e.cos) / e.b;
        if (u * u + v * v <= 1) value += e.value;
      }
      raw[row * rowLength + 1 + column] = Math.max(0, Math.min(255, Math.round(value * 200 + 20)));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function dicomDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

function dicomTime(date: Date): string {
  return date.toISOString().slice(11, 19).replaceAll(':', '');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
