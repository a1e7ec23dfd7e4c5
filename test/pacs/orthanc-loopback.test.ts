import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv } from '../support/bff-process.ts';
import { freePort } from '../support/free-port.ts';
import { startOrthanc, waitFor, type RunningOrthanc } from '../support/orthanc.ts';

/**
 * The Orthanc of the tests and of `npm run pacs` serves 127.0.0.1 only. Orthanc 1.10 has no
 * setting for the address it listens on, so its HTTP port is open on every interface; what keeps
 * other machines out is `RemoteAccessAllowed: false` (401, no data), and there is no DICOM port.
 */

/** An IPv4 address of this machine that is not loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;

/** The TCP addresses ("ip:port") a process listens on, read from /proc (its socket inodes in /proc/net/tcp*). */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const addresses: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || state !== '0A' || !inode || !inodes.has(inode)) continue; // 0A: LISTEN
      const [hexAddress = '', hexPort = ''] = local.split(':');
      const address =
        table === 'tcp'
          ? (hexAddress.match(/../g) ?? [])
              .reverse()
              .map((byte) => Number.parseInt(byte, 16))
              .join('.')
          : `[${hexAddress}]`;
      addresses.push(`${address}:${Number.parseInt(hexPort, 16)}`);
    }
  }
  return addresses.sort();
}

/** Status and body length of a GET, the way any client on the network would send it. */
async function probe(url: string, authorization?: string): Promise<{ status: number; bytes: number }> {
  const response = await fetch(url, {
    headers: authorization ? { authorization } : {},
    signal: AbortSignal.timeout(3_000),
  });
  return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
}

const PATHS = [
  '/system',
  '/studies',
  '/tools/find',
  '/app/explorer.html',
  '/web-viewer/app/viewer.html',
  '/dicom-web/studies',
  '/webdav/',
];

function expectLoopbackOnlyConfig(config: Record<string, unknown>, port: number): void {
  expect(config).toMatchObject({ HttpPort: port, RemoteAccessAllowed: false, DicomServerEnabled: false });
  // Options that would open the PACS to others are absent (Orthanc's defaults are off).
  expect(config).not.toHaveProperty('SslEnabled');
  expect(config).not.toHaveProperty('HttpsVerifyPeers');
}

describe('Orthanc serves loopback clients only', () => {
  let orthanc: RunningOrthanc;
  const credentials = { username: 'radiology', password: 'loopback-test-password' };

  beforeAll(async () => {
    orthanc = await startOrthanc({ credentials });
  });

  afterAll(async () => {
    await orthanc?.dispose();
  });

  it('is configured without remote access or a DICOM port, and opens the HTTP port only', async () => {
    expectLoopbackOnlyConfig(JSON.parse(readFileSync(join(orthanc.directory, 'orthanc.json'), 'utf8')), orthanc.port);
    const pid = orthanc.pid();
    expect(pid).toBeDefined();
    const listening = listeningAddresses(pid ?? 0);
    // Orthanc 1.10 binds all interfaces (0.0.0.0); should a later one bind loopback, so much the better.
    expect(listening).toHaveLength(1);
    expect([`0.0.0.0:${orthanc.port}`, `127.0.0.1:${orthanc.port}`]).toContain(listening[0]);
    expect(await probe(`${orthanc.url}/system`, orthanc.authorization)).toMatchObject({ status: 200 });
  });

  it.skipIf(outsideAddress === undefined)(
    "answers a client on this machine's non-loopback address 401 with no data, even with the right credentials",
    async () => {
      for (const path of PATHS) {
        const url = `http://${outsideAddress}:${orthanc.port}${path}`;
        expect({ path, ...(await probe(url)) }).toEqual({ path, status: 401, bytes: 0 });
        expect({ path, ...(await probe(url, orthanc.authorization)) }).toEqual({ path, status: 401, bytes: 0 });
      }
    },
  );

  it('`npm run pacs` starts its Orthanc the same way', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'rw-local-pacs-'));
    const port = await freePort();
    let output = '';
    const script = spawn(process.execPath, ['scripts/local-pacs.ts'], {
      env: inheritedEnv({ PACS_PORT: String(port), PACS_DIR: directory, PACS_STUDIES: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    script.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    script.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => script.once('exit', (code) => resolve(code)));
    try {
      await waitFor(
        () => {
          if (script.exitCode !== null) throw new Error(`npm run pacs exited:\n${output}`);
          return output.includes('Local PACS (Orthanc) on');
        },
        30_000,
        'the local PACS to start',
      );
      expect(output).toContain(`http://127.0.0.1:${port}`);
      expectLoopbackOnlyConfig(JSON.parse(readFileSync(join(directory, 'orthanc.json'), 'utf8')), port);
      expect(await probe(`http://127.0.0.1:${port}/system`)).toMatchObject({ status: 200 });
      if (outsideAddress !== undefined)
        expect(await probe(`http://${outsideAddress}:${port}/studies`)).toEqual({ status: 401, bytes: 0 });
    } finally {
      script.kill('SIGTERM');
      const killer = setTimeout(() => script.kill('SIGKILL'), 15_000);
      expect(await exited).toBe(0);
      clearTimeout(killer);
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
