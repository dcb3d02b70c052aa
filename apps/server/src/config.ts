/**
 * Server configuration from the environment, validated at start-up: a bad value stops the
 * server with a message naming the variable, never a half-configured server.
 */
import { delimiter, resolve } from 'node:path';
import { z } from 'zod';

const MiB = 1024 * 1024;

/**
 * Where advisory sources may read from, and what their archives may inflate to. Source paths
 * are confined to `roots` (symbolic links and `..` resolved, at creation and at every sync);
 * only the server's configuration can add a root, never the API.
 */
export const AdvisoryFilesConfig = z.strictObject({
  /** Absolute directories; the first, `<dataDir>/advisories`, also anchors relative paths. */
  roots: z.array(z.string().min(1)).min(1),
  /** Uncompressed bytes of one zip entry or gzip file (default 64 MiB). */
  maxEntryBytes: z.number().int().min(1),
  /** Uncompressed bytes of every entry of one zip (default 2 GiB). */
  maxTotalBytes: z.number().int().min(1),
  /** Entries a zip may list (default 1,000,000). */
  maxEntries: z.number().int().min(1),
});
export type AdvisoryFilesConfig = z.infer<typeof AdvisoryFilesConfig>;

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
  advisoryFiles: AdvisoryFilesConfig,
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
  advisoryFiles: 'PATCHGATE_ADVISORY_ROOTS',
} as const;

/** The advisory file settings' variables, by field (errors name the variable). */
const advisoryFilesVariables = {
  roots: 'PATCHGATE_ADVISORY_ROOTS',
  maxEntryBytes: 'PATCHGATE_ARCHIVE_MAX_ENTRY_MIB',
  maxTotalBytes: 'PATCHGATE_ARCHIVE_MAX_TOTAL_MIB',
  maxEntries: 'PATCHGATE_ARCHIVE_MAX_ENTRIES',
} as const;

/** A whole number from the environment (`fallback` when unset), else the text for zod to refuse. */
const wholeNumber = (value: string | undefined, fallback: number, scale = 1): number | string =>
  value === undefined ? fallback : /^\d+$/.test(value) ? Number(value) * scale : value;

/**
 * `<dataDir>/advisories` first, then every directory of PATCHGATE_ADVISORY_ROOTS (separated
 * like PATH: `:`, or `;` on Windows), resolved against the working directory.
 */
function advisoryFilesFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  dataDir: string,
) {
  const extra = (env[advisoryFilesVariables.roots] ?? '')
    .split(delimiter)
    .filter((root) => root.trim() !== '')
    .map((root) => resolve(cwd, root));
  return {
    roots: [resolve(dataDir, 'advisories'), ...extra],
    maxEntryBytes: wholeNumber(env[advisoryFilesVariables.maxEntryBytes], 64 * MiB, MiB),
    maxTotalBytes: wholeNumber(env[advisoryFilesVariables.maxTotalBytes], 2048 * MiB, MiB),
    maxEntries: wholeNumber(env[advisoryFilesVariables.maxEntries], 1_000_000),
  };
}

/** Read the configuration; defaults: ./patchgate-data, 127.0.0.1:7480, info. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Partial<ServerConfig> = {},
): ConfigResult {
  const port = env[variables.port];
  const dataDir = resolve(cwd, env[variables.dataDir] ?? 'patchgate-data');
  const raw = {
    dataDir,
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
    advisoryFiles: advisoryFilesFromEnv(env, cwd, overrides.dataDir ?? dataDir),
    ...overrides,
  };
  const parsed = ServerConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof variables | undefined;
      const field = issue.path[1] as keyof typeof advisoryFilesVariables | undefined;
      const variable =
        key === 'advisoryFiles' && field !== undefined
          ? advisoryFilesVariables[field]
          : key === undefined
            ? 'configuration'
            : variables[key];
      return `${variable}: ${issue.message}`;
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
