/**
 * Server configuration from the environment, validated at start-up: a bad value stops the
 * server with a message naming the variable, never a half-configured server.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

export const ServerConfig = z.strictObject({
  /** Where the embedded database and other state live. */
  dataDir: z.string().min(1),
  /** `postgres://…` selects PostgreSQL; unset means the embedded SQLite file in dataDir. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Cookies get `Secure` when the server is reached over HTTPS (behind a proxy, say). */
  secureCookies: z.boolean(),
  /**
   * scrypt cost for password hashes, as log2(N): 17 (OWASP's minimum) by default. Lower values
   * exist for test suites that hash many passwords; never lower it in production.
   */
  passwordHashCost: z.number().int().min(10).max(20),
  /**
   * How long a claimed job stays this process's without a heartbeat: after a crash, its jobs
   * are taken up again (by any server) once this lapses.
   */
  jobLeaseSeconds: z.number().int().min(3).max(3600),
  /**
   * The policy findings are prioritised by: a built-in id (`default`, `bod-26-04`,
   * `ssvc-deployer`, `pci-dss-4`, `fedramp-rev5`) or a YAML/JSON policy file.
   */
  policy: z.string().min(1),
  /** The largest request body a route reads unless it is an upload or import: 1 MiB. */
  maxBodyBytes: z.number().int().min(1024),
  /** The largest inventory upload, package list or asset import: 64 MiB. */
  maxUploadBytes: z.number().int().min(1024),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: string[] };

const variables = {
  dataDir: 'PATCHGATE_DATA_DIR',
  databaseUrl: 'PATCHGATE_DATABASE_URL',
  host: 'PATCHGATE_HOST',
  port: 'PATCHGATE_PORT',
  logLevel: 'PATCHGATE_LOG_LEVEL',
  secureCookies: 'PATCHGATE_SECURE_COOKIES',
  passwordHashCost: 'PATCHGATE_PASSWORD_HASH_COST',
  jobLeaseSeconds: 'PATCHGATE_JOB_LEASE_SECONDS',
  policy: 'PATCHGATE_POLICY',
  maxBodyBytes: 'PATCHGATE_MAX_BODY_BYTES',
  maxUploadBytes: 'PATCHGATE_MAX_UPLOAD_BYTES',
} as const;

/** A whole number from the environment, or the text as it is (the schema then names it). */
function integerOr(value: string | undefined, fallback: number): number | string {
  return value === undefined ? fallback : /^\d+$/.test(value) ? Number(value) : value;
}

/** Read the configuration; defaults: ./patchgate-data, 127.0.0.1:7480, info. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Partial<ServerConfig> = {},
): ConfigResult {
  const port = env[variables.port];
  const raw = {
    dataDir: resolve(cwd, env[variables.dataDir] ?? 'patchgate-data'),
    ...(env[variables.databaseUrl] !== undefined &&
      env[variables.databaseUrl] !== '' && { databaseUrl: env[variables.databaseUrl] }),
    host: env[variables.host] ?? '127.0.0.1',
    port: port === undefined ? 7480 : /^\d+$/.test(port) ? Number(port) : port,
    logLevel: env[variables.logLevel] ?? 'info',
    secureCookies: env[variables.secureCookies] === 'true',
    passwordHashCost: (() => {
      const cost = env[variables.passwordHashCost];
      return cost === undefined ? 17 : /^\d+$/.test(cost) ? Number(cost) : cost;
    })(),
    jobLeaseSeconds: (() => {
      const lease = env[variables.jobLeaseSeconds];
      return lease === undefined ? 60 : /^\d+$/.test(lease) ? Number(lease) : lease;
    })(),
    policy: env[variables.policy] ?? 'default',
    maxBodyBytes: integerOr(env[variables.maxBodyBytes], 1024 * 1024),
    maxUploadBytes: integerOr(env[variables.maxUploadBytes], 64 * 1024 * 1024),
    ...overrides,
  };
  const parsed = ServerConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof variables | undefined;
      return `${key === undefined ? 'configuration' : variables[key]}: ${issue.message}`;
    }),
  };
}

/** A setting that cannot be used: the server does not start, and says which and why. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}
