import { envSchema } from 'env-schema';

/** The BFF's settings, read once at start-up. Every one is documented in .env.example and README.md. */
export interface BffConfig {
  NODE_ENV: 'development' | 'production' | 'test';
  HOST: string;
  PORT: number;
  PUBLIC_URL?: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  AVARA_API_KEY?: string;
  AVARA_BASE_URL: string;
  UPSTREAM_TIMEOUT_MS: number;
  UPSTREAM_RETRIES: number;
  DATA_DIR: string;
  DEMO_STUDIES: number;
  VIEWER_LINK_TTL_SECONDS: number;
}

const schema = {
  type: 'object',
  required: [],
  properties: {
    NODE_ENV: { type: 'string', enum: ['development', 'production', 'test'], default: 'development' },
    HOST: { type: 'string', minLength: 1, default: 'localhost' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^/?#]+$' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    AVARA_API_KEY: { type: 'string', minLength: 8 },
    AVARA_BASE_URL: { type: 'string', pattern: '^https?://[^?#]+$', default: 'https://api.avarasoftware.com' },
    UPSTREAM_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
    UPSTREAM_RETRIES: { type: 'integer', minimum: 0, maximum: 5, default: 2 },
    DATA_DIR: { type: 'string', minLength: 1, default: './data' },
    DEMO_STUDIES: { type: 'integer', minimum: 0, maximum: 1000000, default: 2500 },
    VIEWER_LINK_TTL_SECONDS: { type: 'integer', minimum: 10, maximum: 3600, default: 300 },
  },
};

/** Thrown when the environment is not a valid configuration; its message lists every problem. */
export class ConfigError extends Error {}

/**
 * Parses the environment (and `.env` when present; real environment variables win) into a config.
 * An empty value counts as unset, so `AVARA_API_KEY=` in a copied .env.example means "bundled server".
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, readDotenv = true): BffConfig {
  const data = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  try {
    const config = envSchema<BffConfig>({
      schema,
      data,
      env: false,
      dotenv: readDotenv ? { path: '.env' } : false,
    });
    if (config.NODE_ENV === 'production' && !config.AVARA_API_KEY) {
      throw new ConfigError(
        'Invalid configuration:\n  - AVARA_API_KEY is required when NODE_ENV=production (the bundled demo server is for evaluation only)',
      );
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Invalid configuration:\n${describeEnvErrors(error)}`);
  }
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
