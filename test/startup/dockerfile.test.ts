/**
 * The Dockerfile and compose.yaml, checked without Docker: the image's install and start commands
 * are the ones test/startup/production-install.test.ts runs (both read them from the Dockerfile, and
 * here they are pinned), it copies everything the server loads at run time, the server imports no
 * development dependency, and the runtime stage is what docs/deploy.md promises. `docker compose
 * config` validates compose.yaml where a Docker client with Compose exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { productionInstallOf, readDockerfile } from '../support/dockerfile.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const stages = readDockerfile(join(ROOT, 'Dockerfile'));
const install = productionInstallOf(stages);
const runtime = stages.at(-1);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  license?: string;
};

/** The production install: what the production-install test runs, and no other. */
export const PRODUCTION_INSTALL = [['npm', 'ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund']];
export const PRODUCTION_START = ['node', 'src/bff/server.ts'];

/** Every file the server loads, import by import from its entry point (relative imports). */
function runtimeFiles(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() ?? '';
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    // Type-only imports are erased when Node strips the types: they load nothing.
    for (const match of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:'))
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? specifier),
        );
    }
    for (const match of source.matchAll(/new URL\('([^']+\.(?:ya?ml|json))', import\.meta\.url\)/g))
      files.add(resolve(dirname(file), match[1] ?? ''));
  }
  return { files, packages };
}

describe('the Dockerfile', () => {
  it('builds in one stage and runs on a slim Node 24 in another', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(stages[0]?.image).toMatch(/^node:24[.-]/);
    expect(runtime?.image).toMatch(/^node:24[.-].*slim$/);
    expect(stages[0]?.instructions.some((step) => step.keyword === 'RUN' && step.args === 'npm run build')).toBe(true);
  });

  it('installs and starts exactly as the production-install test does (and as `npm run start:prod`)', () => {
    expect(install.npm).toEqual(PRODUCTION_INSTALL);
    expect(install.start).toEqual(PRODUCTION_START);
    expect(packageJson.scripts['start:prod']).toBe(PRODUCTION_START.join(' '));
    expect(install.built).toEqual([
      ['/app/dist', './dist'],
      ['/app/dist-server', './dist-server'],
    ]);
    expect(install.env).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/data' });
  });

  it('copies every file the server loads, and the server imports production dependencies only', () => {
    const { files, packages } = runtimeFiles(join(ROOT, 'src/bff/server.ts'));
    const copied = install.copies.map(([source]) => source);
    for (const file of files) {
      const path = relative(ROOT, file);
      expect(existsSync(file), path).toBe(true);
      expect(
        copied.some((source) => path === source || path.startsWith(`${source}/`)),
        `${path} is not copied into the image`,
      ).toBe(true);
    }
    expect(files.size).toBeGreaterThan(50);
    for (const name of packages)
      expect(Object.keys(packageJson.dependencies), `${name} is imported by the server`).toContain(name);
  });

  it('runs as a non-root user with DATA_DIR as a volume, a health check on /api/health, and node handling SIGTERM itself', () => {
    const steps = runtime?.instructions ?? [];
    const last = (keyword: string) => steps.filter((step) => step.keyword === keyword).at(-1)?.args;
    expect(last('USER')).toBe('node');
    expect(last('VOLUME')).toBe('["/data"]');
    expect(last('HEALTHCHECK')).toMatch(/\/api\/health/);
    expect(last('STOPSIGNAL')).toBe('SIGTERM');
    // Exec form: node is PID 1 and gets the signal (a shell form would put sh in between).
    expect(last('CMD')?.startsWith('[')).toBe(true);
    expect(steps.findIndex((step) => step.keyword === 'USER')).toBeGreaterThan(
      steps.findIndex((step) => step.keyword === 'RUN' && step.args.startsWith('npm ci')),
    );
  });

  it('leaves development files out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git', '.env']) expect(ignored).toContain(entry);
  });

  it('names its licence in package.json, as the LICENSE file does', () => {
    expect(packageJson.license).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: unknown;
        environment?: Record<string, string>;
        secrets?: string[];
        stop_grace_period?: string;
      }
    >;
    secrets: Record<string, { file: string }>;
  };

  it('runs two instances behind nginx, with Redis, Orthanc (the Orthanc team image) and secrets as files', () => {
    const { services } = compose;
    const instances = Object.entries(services).filter(([, service]) => service.environment?.AUTH_MODE !== undefined);
    expect(instances.map(([name]) => name)).toEqual(['worklist-1', 'worklist-2']);
    expect(services.proxy?.image).toMatch(/^nginx:/);
    expect(services.redis?.image).toMatch(/^redis:/);
    expect(services.orthanc?.image).toMatch(/^orthancteam\/orthanc:/);
    for (const [, service] of instances) {
      const environment = service.environment ?? {};
      for (const name of ['AVARA_API_KEY', 'REDIS_PASSWORD', 'ORTHANC_PASSWORD']) {
        expect(environment[name]).toBeUndefined();
        expect(environment[`${name}_FILE`]).toMatch(/^\/run\/secrets\//);
      }
      expect(Number.parseInt(service.stop_grace_period ?? '0', 10)).toBeGreaterThan(
        Number(environment.SHUTDOWN_TIMEOUT_SECONDS),
      );
    }
    for (const secret of Object.values(compose.secrets)) expect(existsSync(join(ROOT, secret.file))).toBe(true);
  });

  const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const composeMissing =
    docker.status === 0
      ? undefined
      : `docker compose is not available here (${(docker.error?.message ?? docker.stderr ?? '').trim().split('\n')[0]})`;
  if (composeMissing) console.log(`Skipping \`docker compose config\`: ${composeMissing}`);
  it.skipIf(composeMissing !== undefined)('is valid for docker compose config', () => {
    const result = spawnSync('docker', ['compose', '-f', join(ROOT, 'compose.yaml'), 'config', '--quiet'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
  });
});
