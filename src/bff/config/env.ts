import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { envSchema } from 'env-schema';
import { trustedProxyProblems } from '../http/trusted-proxies.ts';
import { DEFAULT_UPSTREAM_MAX_BYTES } from '../lib/upstream-body.ts';
import { DEFAULT_PRIORITY_MAP, parsePriorityMap } from '../pacs/priority.ts';
import { DEFAULT_READING_LEASE_SECONDS, DEFAULT_READING_MAX_LEASES } from '../reading/reading-rules.ts';
import { DEFAULT_SLA_TARGETS, MAX_SLA_MINUTES, type SlaTargets } from '../../contract/sla.ts';
import { DEFAULT_HISTORY_RETENTION_DAYS } from '../history/queue-history.ts';
import { DEFAULT_REPORT_PDF_MAX_BYTES } from '../reports/report-pdf.ts';
import { WEBHOOK_EVENT_NAME, webhookKeyProblems } from '../webhooks/webhook-keys.ts';
import { DEFAULT_DICOM_URL_TTL_SECONDS } from '../pacs/dicom-file-urls.ts';

/**
 * Settings that may instead be read from a file named by `<NAME>_FILE` (Docker and Kubernetes
 * secrets): the value is the file's content without its trailing newline. A new secret setting is
 * one more name here.
 */
export const SECRET_SETTINGS = [
  'AVARA_API_KEY',
  'AVARA_WEBHOOK_KEY',
  'OIDC_CLIENT_SECRET',
  'ORTHANC_PASSWORD',
  'REDIS_PASSWORD',
] as const;

const schema = {
  type: 'object',
  required: [],
  properties: {
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
    HOST: { type: 'string', minLength: 1, default: 'localhost' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^/?#]+$' },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    AVARA_API_KEY: { type: 'string', minLength: 8 },
    AVARA_BASE_URL: { type: 'string', pattern: '^https?://[^?#]+$', default: 'https://api.avarasoftware.com' },
    UPSTREAM_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
    UPSTREAM_RETRIES: { type: 'integer', minimum: 0, maximum: 5, default: 2 },
    /** The largest answer read from Avara or Orthanc (JSON; streamed images and files are not held). */
    UPSTREAM_MAX_BYTES: { type: 'integer', minimum: 65536, maximum: 1073741824, default: DEFAULT_UPSTREAM_MAX_BYTES },
    DATA_DIR: { type: 'string', minLength: 1, default: './data' },
    DEMO_STUDIES: { type: 'integer', minimum: 0, maximum: 1000000, default: 2500 },
    /**
     * The bundled demo's arrivals: mean seconds between new demo studies (the demo's waiting studies are
     * read at a similar pace); 0 turns them off. Defaults to 45 for the bundled server, 0 with
     * AVARA_API_KEY (never demo data in a real Avara), with NODE_ENV=test and with ORTHANC_SYNC on.
     */
    DEMO_ARRIVALS_SECONDS: { type: 'integer', minimum: 0, maximum: 3600 },
    VIEWER_LINK_TTL_SECONDS: { type: 'integer', minimum: 10, maximum: 3600, default: 300 },
    AUTH_MODE: { type: 'string', enum: ['dev', 'proxy', 'oidc'], default: 'dev' },
    SESSION_IDLE_MINUTES: { type: 'integer', minimum: 1, maximum: 1440, default: 30 },
    SESSION_MAX_HOURS: { type: 'integer', minimum: 1, maximum: 168, default: 12 },
    COOKIE_SAMESITE: { type: 'string', enum: ['lax', 'strict', 'none'], default: 'lax' },
    PORTAL_ORIGINS: { type: 'string', separator: ',', default: '' },
    TRUSTED_PROXIES: { type: 'string', separator: ',', default: '' },
    PROXY_EMAIL_HEADER: { type: 'string', pattern: '^[a-z0-9-]+$', default: 'x-forwarded-email' },
    PROXY_NAME_HEADER: { type: 'string', pattern: '^[a-z0-9-]+$', default: 'x-forwarded-preferred-username' },
    PROXY_GROUPS_HEADER: { type: 'string', pattern: '^[a-z0-9-]+$', default: 'x-forwarded-groups' },
    OIDC_ISSUER: { type: 'string', pattern: '^https?://' },
    OIDC_CLIENT_ID: { type: 'string', minLength: 1 },
    OIDC_CLIENT_SECRET: { type: 'string', minLength: 1 },
    OIDC_SCOPES: { type: 'string', default: 'openid email profile' },
    OIDC_ROLE_CLAIM: { type: 'string', minLength: 1, default: 'groups' },
    COORDINATOR_GROUPS: { type: 'string', separator: ',', default: '' },
    RADIOLOGIST_GROUPS: { type: 'string', separator: ',', default: '' },
    ROSTER_FILE: { type: 'string', minLength: 1 },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 1, maximum: 100000, default: 600 },
    AUDIT_LOG: { type: 'string', minLength: 1, default: 'stdout' },
    VIEWER_ORIGINS: { type: 'string', separator: ',', default: '' },
    ORTHANC_URL: { type: 'string', pattern: '^https?://[^?#]+$' },
    ORTHANC_USERNAME: { type: 'string', minLength: 1 },
    ORTHANC_PASSWORD: { type: 'string', minLength: 1 },
    /** Follow Orthanc's change feed and put arriving studies on the worklist; defaults to on when ORTHANC_URL is set. */
    ORTHANC_SYNC: { type: 'boolean' },
    ORTHANC_PRIORITY_MAP: { type: 'string', default: DEFAULT_PRIORITY_MAP },
    ORTHANC_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
    ORTHANC_SYNC_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 2000 },
    /** How often the sync compares every study Orthanc holds with those already on the worklist. */
    ORTHANC_RECONCILE_INTERVAL_MS: { type: 'integer', minimum: 1000, maximum: 86400000, default: 300000 },
    /** Redis for the shared state (several instances); absent: in-process, in DATA_DIR/shared-state.sqlite. */
    REDIS_URL: { type: 'string', pattern: '^rediss?://[^\\s]+$' },
    /** The Redis password when it is not in REDIS_URL (from REDIS_PASSWORD_FILE, typically); put into REDIS_URL at load. */
    REDIS_PASSWORD: { type: 'string', minLength: 1 },
    SHARED_STATE_KEY_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$', default: 'rw:' },
    EVENT_HISTORY_SIZE: { type: 'integer', minimum: 100, maximum: 1000000, default: 10000 },
    /** A reading lease ends this long after its last heartbeat. */
    READING_LEASE_SECONDS: { type: 'integer', minimum: 1, maximum: 3600, default: DEFAULT_READING_LEASE_SECONDS },
    /** How many reading leases on unread studies one radiologist may hold before Next study refuses (409). */
    READING_MAX_LEASES: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_READING_MAX_LEASES },
    /** Comment heartbeats on idle event streams (GET /api/events), below the server's 60 s idle timeout. */
    EVENTS_HEARTBEAT_SECONDS: { type: 'integer', minimum: 1, maximum: 55, default: 15 },
    /** How often the queue watcher's leader walks the active queue to notice changes made outside the worklist. */
    QUEUE_WATCH_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 5000 },
    /** How long a SIGTERM waits for requests in progress to finish before the process exits anyway. */
    SHUTDOWN_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 600, default: 10 },
    /** Event-loop delay above which requests are refused with 503 (0: never). */
    MAX_EVENT_LOOP_DELAY_MS: { type: 'integer', minimum: 0, maximum: 60000, default: 1000 },
    /** A port of its own for GET /metrics (on METRICS_HOST); absent: /metrics only on the public port, and only with METRICS_TOKEN. */
    METRICS_PORT: { type: 'integer', minimum: 1, maximum: 65535 },
    METRICS_HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    /** The bearer token a scraper sends for /metrics (required on the public port; also checked on METRICS_PORT when set). */
    METRICS_TOKEN: { type: 'string', minLength: 16, pattern: '^[\\x21-\\x7e]+$' },
    /** How long a study of each severity may wait for its reading before it is overdue (the SLA targets). */
    SLA_STAT_MINUTES: { type: 'integer', minimum: 1, maximum: MAX_SLA_MINUTES, default: DEFAULT_SLA_TARGETS.stat },
    SLA_HIGH_MINUTES: { type: 'integer', minimum: 1, maximum: MAX_SLA_MINUTES, default: DEFAULT_SLA_TARGETS.high },
    SLA_NORMAL_MINUTES: { type: 'integer', minimum: 1, maximum: MAX_SLA_MINUTES, default: DEFAULT_SLA_TARGETS.normal },
    /** How long the queue history (the dashboard's turnaround figures) keeps a study after it was last seen to change. */
    HISTORY_RETENTION_DAYS: { type: 'integer', minimum: 1, maximum: 3650, default: DEFAULT_HISTORY_RETENTION_DAYS },
    /** The largest report PDF the BFF streams from Avara's link (GET /api/studies/{studyId}/reports/{reportId}/pdf). */
    REPORT_PDF_MAX_BYTES: {
      type: 'integer',
      minimum: 1024,
      maximum: 1073741824,
      default: DEFAULT_REPORT_PDF_MAX_BYTES,
    },
    /**
     * The Standard Webhooks signing secret Avara signs its webhooks with (`whsec_<base64>`); several,
     * separated by spaces, while a key is rotated (any one verifies). Absent: no webhook endpoint,
     * except with the bundled server, where one is generated into DATA_DIR.
     */
    AVARA_WEBHOOK_KEY: { type: 'string', pattern: '^\\s*whsec_[A-Za-z0-9+/=]+(\\s+whsec_[A-Za-z0-9+/=]+)*\\s*$' },
    /** The Avara webhook events answered (`*`: every one the worklist handles); others are acknowledged and ignored. */
    AVARA_WEBHOOK_EVENTS: { type: 'string', separator: ',', default: '*' },
    /** How long a DICOM file URL given to Avara's viewer (study.access_requested) stays valid. */
    DICOM_URL_TTL_SECONDS: { type: 'integer', minimum: 60, maximum: 43200, default: DEFAULT_DICOM_URL_TTL_SECONDS },
  },
} as const satisfies { type: 'object'; required: readonly []; properties: Readonly<Record<string, Setting>> };

/** One setting's JSON schema, as env-schema reads it. */
interface Setting {
  type: 'string' | 'integer' | 'boolean';
  enum?: readonly string[];
  default?: unknown;
  /** A comma-separated list: loadConfig makes it an array of trimmed, non-empty entries. */
  separator?: string;
  [keyword: string]: unknown;
}

type Settings = (typeof schema)['properties'];

/** A setting's value as the schema gives it: a list, one of its words, a number, a flag or a string. */
type SettingValue<S> = S extends { separator: string }
  ? string[]
  : S extends { enum: readonly (infer Word)[] }
    ? Word
    : S extends { type: 'integer' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : string;

/** Settings that always have a value after loading: those with a default, and those loadConfig decides. */
type AlwaysSet =
  | { [Name in keyof Settings]: Settings[Name] extends { default: unknown } ? Name : never }[keyof Settings]
  | 'DEMO_ARRIVALS_SECONDS'
  | 'ORTHANC_SYNC';

/**
 * The BFF's settings, read once at start-up, as the schema below defines them (one definition: a
 * new setting is one more property there). Every one is documented in .env.example and README.md.
 */
export type BffConfig = { -readonly [Name in AlwaysSet]: SettingValue<Settings[Name]> } & {
  -readonly [Name in Exclude<keyof Settings, AlwaysSet>]?: SettingValue<Settings[Name]>;
};

/** Thrown when the environment is not a valid configuration; its message lists every problem. */
export class ConfigError extends Error {}

/**
 * Parses the environment (and `.env` when present, or the file named; real environment variables win) into a config.
 * An empty value counts as unset, so `AVARA_API_KEY=` in a copied .env.example means "bundled server".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, readDotenv: boolean | string = true): BffConfig {
  try {
    const dotenv = readDotenv === false ? {} : dotenvFile(readDotenv === true ? '.env' : readDotenv);
    const data = withSecretFiles({ ...setValues(dotenv), ...setValues(env) });
    const config = envSchema<BffConfig>({ schema, data, env: false, dotenv: false });
    const normalized: BffConfig = {
      ...config,
      PORTAL_ORIGINS: listOf(config.PORTAL_ORIGINS).map((origin) => origin.replace(/\/$/, '')),
      TRUSTED_PROXIES: listOf(config.TRUSTED_PROXIES),
      COORDINATOR_GROUPS: listOf(config.COORDINATOR_GROUPS),
      RADIOLOGIST_GROUPS: listOf(config.RADIOLOGIST_GROUPS),
      VIEWER_ORIGINS: listOf(config.VIEWER_ORIGINS).map((origin) => origin.replace(/\/$/, '')),
      ...(config.ORTHANC_URL ? { ORTHANC_URL: config.ORTHANC_URL.replace(/\/$/, '') } : {}),
      ORTHANC_SYNC: config.ORTHANC_SYNC ?? config.ORTHANC_URL !== undefined,
      AVARA_WEBHOOK_EVENTS: listOf(config.AVARA_WEBHOOK_EVENTS),
    };
    normalized.DEMO_ARRIVALS_SECONDS = config.DEMO_ARRIVALS_SECONDS ?? defaultDemoArrivals(normalized);
    const problems = crossFieldProblems(normalized);
    if (problems.length > 0)
      throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    if (normalized.REDIS_URL && normalized.REDIS_PASSWORD)
      normalized.REDIS_URL = withPassword(normalized.REDIS_URL, normalized.REDIS_PASSWORD);
    return normalized;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Invalid configuration:\n${describeEnvErrors(error)}`);
  }
}

function setValues(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

/** The `.env` file's settings, or none when there is no such file. */
function dotenvFile(path: string): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return {};
    throw error;
  }
  return parseEnv(text);
}

/**
 * The settings with each `<NAME>_FILE` of SECRET_SETTINGS replaced by `<NAME>` read from that file.
 * Both given, a file that cannot be read or an empty one: every such problem is listed at once.
 */
export function withSecretFiles(
  data: Record<string, string | undefined>,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Record<string, string | undefined> {
  const result = { ...data };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    const path = data[`${name}_FILE`];
    delete result[`${name}_FILE`];
    if (path === undefined) continue;
    if (data[name] !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set: give the secret one way, not both`);
      continue;
    }
    let content: string;
    try {
      content = readFile(path);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
      continue;
    }
    // Files written by `echo` or an editor end with a newline that is not part of the secret.
    const value = content.replace(/\r?\n$/, '');
    if (value === '') problems.push(`${name}_FILE: ${path} is empty`);
    else result[name] = value;
  }
  if (problems.length > 0)
    throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return result;
}

/** REDIS_URL with the password put in (REDIS_PASSWORD), for the Redis client. */
function withPassword(redisUrl: string, password: string): string {
  const url = new URL(redisUrl);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** The bundled demo has arrivals unless the worklist has a real upstream, arrivals of its own (a PACS), or runs under test. */
export const DEFAULT_DEMO_ARRIVALS_SECONDS = 45;

function defaultDemoArrivals(config: BffConfig): number {
  return config.AVARA_API_KEY || config.NODE_ENV === 'test' || config.ORTHANC_SYNC ? 0 : DEFAULT_DEMO_ARRIVALS_SECONDS;
}

function crossFieldProblems(config: BffConfig): string[] {
  const problems: string[] = [];
  const production = config.NODE_ENV === 'production';
  if (production && !config.AVARA_API_KEY) {
    problems.push(
      'AVARA_API_KEY is required when NODE_ENV=production (the bundled demo server is for evaluation only)',
    );
  }
  if (production && config.AUTH_MODE === 'dev') {
    problems.push(
      'AUTH_MODE=dev (pick any demo user, no password) is refused when NODE_ENV=production: use oidc or proxy',
    );
  }
  if (config.AVARA_API_KEY && config.DEMO_ARRIVALS_SECONDS > 0) {
    problems.push(
      'DEMO_ARRIVALS_SECONDS applies to the bundled demo server only: leave it unset (or 0) with AVARA_API_KEY, demo studies are never written into Avara',
    );
  }
  if (config.AUTH_MODE === 'oidc') {
    for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'PUBLIC_URL'] as const) {
      if (!config[name]) problems.push(`${name} is required when AUTH_MODE=oidc`);
    }
  }
  if (config.AUTH_MODE === 'proxy' && config.TRUSTED_PROXIES.length === 0) {
    problems.push(
      'TRUSTED_PROXIES is required when AUTH_MODE=proxy (identity headers are accepted only from these addresses)',
    );
  }
  for (const origin of [...config.PORTAL_ORIGINS, ...config.VIEWER_ORIGINS]) {
    if (!/^https?:\/\/[^/?#\s]+$/.test(origin))
      problems.push(
        `PORTAL_ORIGINS entry ${origin} must be an origin like https://portal.example.org (in PORTAL_ORIGINS or VIEWER_ORIGINS)`,
      );
  }
  if ((config.ORTHANC_USERNAME === undefined) !== (config.ORTHANC_PASSWORD === undefined)) {
    problems.push(
      'ORTHANC_USERNAME and ORTHANC_PASSWORD go together: set both (HTTP basic auth to Orthanc) or neither',
    );
  }
  if (config.ORTHANC_SYNC && !config.ORTHANC_URL) {
    problems.push('ORTHANC_SYNC=true needs ORTHANC_URL (the PACS whose arrivals are followed)');
  }
  try {
    parsePriorityMap(config.ORTHANC_PRIORITY_MAP);
  } catch (error) {
    problems.push(`ORTHANC_PRIORITY_MAP: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (config.REDIS_PASSWORD !== undefined) {
    if (!config.REDIS_URL)
      problems.push('REDIS_PASSWORD (or REDIS_PASSWORD_FILE) needs REDIS_URL (the Redis it is the password of)');
    else if (URL.canParse(config.REDIS_URL) && new URL(config.REDIS_URL).password !== '') {
      problems.push('REDIS_URL already carries a password: give it there or in REDIS_PASSWORD(_FILE), not both');
    }
  }
  problems.push(...trustedProxyProblems(config.TRUSTED_PROXIES));
  problems.push(...webhookKeyProblems(config.AVARA_WEBHOOK_KEY));
  for (const event of config.AVARA_WEBHOOK_EVENTS) {
    if (event !== '*' && !WEBHOOK_EVENT_NAME.test(event))
      problems.push(
        `AVARA_WEBHOOK_EVENTS entry ${event} is not an event type like study.access_requested (or * for every one)`,
      );
  }
  if (!(config.SLA_STAT_MINUTES <= config.SLA_HIGH_MINUTES && config.SLA_HIGH_MINUTES <= config.SLA_NORMAL_MINUTES)) {
    problems.push(
      'SLA_STAT_MINUTES, SLA_HIGH_MINUTES and SLA_NORMAL_MINUTES go from the most urgent to the least: the STAT target is at most the high one, the high one at most the normal one',
    );
  }
  if (config.COOKIE_SAMESITE === 'none' && !config.PUBLIC_URL?.startsWith('https://')) {
    problems.push('COOKIE_SAMESITE=none needs an https:// PUBLIC_URL (browsers only send such cookies over TLS)');
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
    problems.push(
      'METRICS_PORT must differ from PORT (metrics are served on a port of their own, never on the public one)',
    );
  }
  return problems;
}

/**
 * The SLA targets (SLA_STAT_MINUTES, SLA_HIGH_MINUTES, SLA_NORMAL_MINUTES): the one value every
 * overdue rule of the BFF is given (the queue watcher's counts, the dashboard, the worklist's
 * colours through GET /auth/config, and any filter of overdue studies).
 */
export function slaTargetsOf(
  config: Pick<BffConfig, 'SLA_STAT_MINUTES' | 'SLA_HIGH_MINUTES' | 'SLA_NORMAL_MINUTES'>,
): Readonly<SlaTargets> {
  return Object.freeze({
    stat: config.SLA_STAT_MINUTES,
    high: config.SLA_HIGH_MINUTES,
    normal: config.SLA_NORMAL_MINUTES,
  });
}

/** A comma-separated setting as a list: entries trimmed, empty ones dropped. */
function listOf(values: string[]): string[] {
  return values.map((value) => value.trim()).filter((value) => value !== '');
}

function describeEnvErrors(error: unknown): string {
  const errors = typeof error === 'object' && error !== null && 'errors' in error ? error.errors : undefined;
  if (!Array.isArray(errors)) return `  - ${error instanceof Error ? error.message : String(error)}`;
  return errors
    .map((entry: unknown) => {
      if (typeof entry !== 'object' || entry === null) return '  - invalid value';
      const path = 'instancePath' in entry ? String(entry.instancePath).replace(/^\//, '') : '';
      const message = 'message' in entry ? String(entry.message) : 'is not valid';
      return `  - ${path || 'environment'} ${message}`;
    })
    .join('\n');
}

/** The address people use to reach the BFF; viewer launch links of the bundled server point here. */
export function publicUrlOf(config: BffConfig, listeningPort: number): string {
  return config.PUBLIC_URL ?? `http://localhost:${listeningPort}`;
}
