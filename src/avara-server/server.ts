// Runs the bundled Avara-compatible server on its own (`npm run avara-server`), for developers who
// want to call it with curl or point a BFF at it. The BFF normally starts it in-process instead.
import { randomBytes } from 'node:crypto';
import { startAvaraServer } from './create-avara-server.ts';

interface StandaloneEnv {
  port: number;
  host: string;
  apiKey: string | undefined;
  databasePath: string;
  demoStudies: number;
  demoArrivalsSeconds: number;
}

function readEnv(env: NodeJS.ProcessEnv): StandaloneEnv {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const parsed: StandaloneEnv = {
    port: integer('AVARA_SERVER_PORT', 4010, 0, 65_535),
    host: env.AVARA_SERVER_HOST || '127.0.0.1',
    apiKey: env.AVARA_SERVER_API_KEY || undefined,
    databasePath: env.AVARA_SERVER_DATABASE || './data/avara.sqlite',
    demoStudies: integer('DEMO_STUDIES', 2_500, 0, 1_000_000),
    // Off unless asked for: a developer calling the API with curl sees only their own changes.
    demoArrivalsSeconds: integer('DEMO_ARRIVALS_SECONDS', 0, 0, 3_600),
  };
  if (problems.length > 0) {
    console.error(`Cannot start the Avara-compatible server:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  return parsed;
}

const env = readEnv(process.env);
const apiKey = env.apiKey ?? randomBytes(24).toString('base64url');
const server = await startAvaraServer({
  databasePath: env.databasePath,
  apiKey,
  port: env.port,
  host: env.host,
  demoStudies: env.demoStudies,
  demoArrivalsSeconds: env.demoArrivalsSeconds,
  logger: true,
});

console.log(`Avara-compatible server listening on ${server.url} (database ${env.databasePath})`);
if (env.apiKey === undefined) {
  // Printed once so a developer can call the API; set AVARA_SERVER_API_KEY to keep a fixed key.
  console.log(`AVARA_SERVER_API_KEY was not set; this run's key: ${apiKey}`);
}
console.log(`Try: curl -H "Authorization: Bearer <key>" "${server.url}/v1/viewer/studies?severity=stat&limit=5"`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Failed to close cleanly', error);
        process.exit(1);
      },
    );
  });
}
