/**
 * Server configuration from the environment, validated at start-up: a bad value stops the
 * server with a message naming the variable, never a half-configured server.
 */
import { delimiter, resolve } from 'node:path';
import { z } from 'zod';

/** A host name (or `host:port`) a URL source may be downloaded from. */
const hostEntry = z
  .string()
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i, 'must be host or host:port');
const proxyUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/**
 * The address people reach the server at (`https://patchgate.example.org`, or with a path
 * prefix behind a proxy): absolute http(s), no query, fragment or credentials. Stored without
 * a trailing slash, so `${publicUrl}/api/v1/…` is a link.
 */
const publicUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
  .refine(
    (value) => !value.includes('?') && !value.includes('#'),
    'must not have a query (?…) or a fragment (#…)',
  )
  .refine(
    (value) => !URL.canParse(value) || new URL(value).username + new URL(value).password === '',
    'must not carry a user name or password',
  )
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * Downloads of URL advisory sources (docs/adr/0021-advisory-sources-by-url.md). Nothing is
 * fetched unless an admin adds a URL source or enables a catalogue feed; `enabled: false`
 * refuses even that, for servers that must never reach out.
 */
export const DownloadSettings = z.strictObject({
  enabled: z.boolean(),
  /** Plain http:// URLs (an internal mirror): refused unless allowed. */
  allowHttp: z.boolean(),
  /** Hosts URL sources may name besides the built-in catalogue's (redirects are checked too). */
  allowedHosts: z.array(hostEntry),
  /** Bytes one download may have; a larger body is refused while streaming. */
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 40),
  connectTimeoutSeconds: z.number().int().min(1).max(600),
  /** The whole of one request, body included. */
  timeoutSeconds: z.number().int().min(1).max(86_400),
  /** Further tries after a network error or a 5xx/408/429 answer, with exponential backoff. */
  retries: z.number().int().min(0).max(10),
  /** From HTTP_PROXY / HTTPS_PROXY / NO_PROXY (or their lower-case spellings). */
  httpProxy: proxyUrl.optional(),
  httpsProxy: proxyUrl.optional(),
  noProxy: z.string().optional(),
});
export type DownloadSettings = z.infer<typeof DownloadSettings>;

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
  /**
   * The address people reach the server at (PATCHGATE_PUBLIC_URL, e.g.
   * `https://patchgate.example.org`): notifications link to `<publicUrl>/api/v1/changes/<id>`.
   * Unset (the default), their links stay relative and each message says the address is not
   * configured (the listen address is often 127.0.0.1 or 0.0.0.0, which recipients cannot use).
   */
  publicUrl: publicUrl.optional(),
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
  downloads: DownloadSettings,

  // --- Security settings (issue 7: proxies, metrics, audit checkpoints) ----------------------
  /**
   * Which proxies to believe about the client's address and protocol (X-Forwarded-For,
   * X-Forwarded-Proto): `false` (none, the default: the socket's address is the client),
   * `true` (any: only when nothing but the proxy can reach the server), a hop count, or a
   * comma-separated list of proxy addresses/CIDRs. Login throttling counts per address, and
   * `Secure` cookies follow HTTPS, so this must be right behind a proxy.
   */
  trustProxy: z.union([z.boolean(), z.number().int().min(1).max(10), z.array(z.string().min(1))]),
  /** Serve `/metrics` to anyone; otherwise it needs the metrics:read permission (a token). */
  metricsPublic: z.boolean(),
  /** The Ed25519 private key that signs audit checkpoints: keep it off the database's host if you can. */
  auditKeyFile: z.string().min(1),
  /** Where signed audit checkpoints are appended (one JSON line each). */
  auditCheckpointFile: z.string().min(1),
  /** Take a checkpoint this often (seconds); 0 takes them only on demand. */
  auditCheckpointIntervalSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600),
  /** Also POST each checkpoint to this URL (a notification channel outside the server). */
  auditCheckpointWebhook: z.url({ protocol: /^https?$/ }).optional(),

  advisoryFiles: AdvisoryFilesConfig,
  /** The largest request body a route reads unless it is an upload or import: 1 MiB. */
  maxBodyBytes: z.number().int().min(1024),
  /** The largest inventory upload, package list or asset import: 64 MiB. */
  maxUploadBytes: z.number().int().min(1024),
  /** The largest file attached to a change's test evidence: 10 MiB. */
  maxEvidenceBytes: z.number().int().min(1024),
  /**
   * The built web application (apps/web/dist: index.html and static/), served at `/`
   * (PATCHGATE_WEB_ROOT; `patchgate server` defaults it to the one built by `npm install`).
   * Unset: no UI, the API only.
   */
  webRoot: z.string().min(1).optional(),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; errors: string[] };

const variables = {
  dataDir: 'PATCHGATE_DATA_DIR',
  databaseUrl: 'PATCHGATE_DATABASE_URL',
  host: 'PATCHGATE_HOST',
  port: 'PATCHGATE_PORT',
  publicUrl: 'PATCHGATE_PUBLIC_URL',
  logLevel: 'PATCHGATE_LOG_LEVEL',
  secureCookies: 'PATCHGATE_SECURE_COOKIES',
  passwordHashCost: 'PATCHGATE_PASSWORD_HASH_COST',
  jobLeaseSeconds: 'PATCHGATE_JOB_LEASE_SECONDS',
  policy: 'PATCHGATE_POLICY',
  trustProxy: 'PATCHGATE_TRUST_PROXY',
  metricsPublic: 'PATCHGATE_METRICS_PUBLIC',
  auditKeyFile: 'PATCHGATE_AUDIT_KEY_FILE',
  auditCheckpointFile: 'PATCHGATE_AUDIT_CHECKPOINT_FILE',
  auditCheckpointIntervalSeconds: 'PATCHGATE_AUDIT_CHECKPOINT_INTERVAL_SECONDS',
  auditCheckpointWebhook: 'PATCHGATE_AUDIT_CHECKPOINT_WEBHOOK',
  advisoryFiles: 'PATCHGATE_ADVISORY_ROOTS',
  maxBodyBytes: 'PATCHGATE_MAX_BODY_BYTES',
  maxUploadBytes: 'PATCHGATE_MAX_UPLOAD_BYTES',
  maxEvidenceBytes: 'PATCHGATE_MAX_EVIDENCE_BYTES',
  webRoot: 'PATCHGATE_WEB_ROOT',
} as const;

const downloadVariables = {
  enabled: 'PATCHGATE_DOWNLOADS',
  allowHttp: 'PATCHGATE_DOWNLOAD_ALLOW_HTTP',
  allowedHosts: 'PATCHGATE_DOWNLOAD_ALLOWED_HOSTS',
  maxBytes: 'PATCHGATE_DOWNLOAD_MAX_BYTES',
  connectTimeoutSeconds: 'PATCHGATE_DOWNLOAD_CONNECT_TIMEOUT_SECONDS',
  timeoutSeconds: 'PATCHGATE_DOWNLOAD_TIMEOUT_SECONDS',
  retries: 'PATCHGATE_DOWNLOAD_RETRIES',
  httpProxy: 'HTTP_PROXY',
  httpsProxy: 'HTTPS_PROXY',
  noProxy: 'NO_PROXY',
} as const satisfies Record<keyof DownloadSettings, string>;

/**
 * A whole number from the environment (`fallback` when unset, times `scale`: MiB → bytes), else
 * the text, for the schema to refuse by name.
 */
const integer = (text: string | undefined, fallback: number, scale = 1): number | string =>
  text === undefined ? fallback : /^\d+$/.test(text) ? Number(text) * scale : text;

/** The upper-case variable, or its lower-case spelling (curl and most tools read both). */
function proxyVariable(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function downloadsFromEnv(env: Readonly<Record<string, string | undefined>>) {
  const v = downloadVariables;
  const hosts = env[v.allowedHosts];
  const httpProxy = proxyVariable(env, v.httpProxy);
  const httpsProxy = proxyVariable(env, v.httpsProxy);
  const noProxy = proxyVariable(env, v.noProxy);
  return {
    enabled: env[v.enabled] !== 'off' && env[v.enabled] !== 'false',
    allowHttp: env[v.allowHttp] === 'true',
    allowedHosts:
      hosts === undefined
        ? []
        : hosts
            .split(',')
            .map((host) => host.trim())
            .filter((host) => host !== ''),
    maxBytes: integer(env[v.maxBytes], 2 ** 30),
    connectTimeoutSeconds: integer(env[v.connectTimeoutSeconds], 30),
    timeoutSeconds: integer(env[v.timeoutSeconds], 3600),
    retries: integer(env[v.retries], 3),
    ...(httpProxy !== undefined && { httpProxy }),
    ...(httpsProxy !== undefined && { httpsProxy }),
    ...(noProxy !== undefined && { noProxy }),
  };
}

/** `PATCHGATE_PUBLIC_URL`: unset or blank is none. */
function publicUrlSetting(value: string | undefined): { publicUrl?: string } {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? {} : { publicUrl: trimmed };
}

/** `PATCHGATE_TRUST_PROXY`: true/false, a hop count, or proxy addresses (see ServerConfig). */
function trustProxySetting(value: string | undefined): unknown {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * The setting as Fastify's `trustProxy` option takes it (its types have no hop count: a hop
 * count n trusts the n nearest proxies, as proxy-addr counts them).
 */
export function fastifyTrustProxy(
  setting: ServerConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/** The advisory file settings' variables, by field (errors name the variable). */
const advisoryFilesVariables = {
  roots: 'PATCHGATE_ADVISORY_ROOTS',
  maxEntryBytes: 'PATCHGATE_ARCHIVE_MAX_ENTRY_MIB',
  maxTotalBytes: 'PATCHGATE_ARCHIVE_MAX_TOTAL_MIB',
  maxEntries: 'PATCHGATE_ARCHIVE_MAX_ENTRIES',
} as const;

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
    maxEntryBytes: integer(env[advisoryFilesVariables.maxEntryBytes], 64 * MiB, MiB),
    maxTotalBytes: integer(env[advisoryFilesVariables.maxTotalBytes], 2048 * MiB, MiB),
    maxEntries: integer(env[advisoryFilesVariables.maxEntries], 1_000_000),
  };
}

/** Read the configuration; defaults: ./patchgate-data, 127.0.0.1:7480, info. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  overrides: Partial<ServerConfig> = {},
): ConfigResult {
  const port = env[variables.port];
  const dataDir = resolve(cwd, overrides.dataDir ?? env[variables.dataDir] ?? 'patchgate-data');
  const raw = {
    dataDir,
    ...(env[variables.databaseUrl] !== undefined &&
      env[variables.databaseUrl] !== '' && { databaseUrl: env[variables.databaseUrl] }),
    host: env[variables.host] ?? '127.0.0.1',
    port: port === undefined ? 7480 : /^\d+$/.test(port) ? Number(port) : port,
    ...publicUrlSetting(env[variables.publicUrl]),
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
    downloads: downloadsFromEnv(env),
    ...securitySettings(env, dataDir),
    advisoryFiles: advisoryFilesFromEnv(env, cwd, dataDir),
    maxBodyBytes: integer(env[variables.maxBodyBytes], 1024 * 1024),
    maxUploadBytes: integer(env[variables.maxUploadBytes], 64 * 1024 * 1024),
    maxEvidenceBytes: integer(env[variables.maxEvidenceBytes], 10 * 1024 * 1024),
    ...(env[variables.webRoot] !== undefined &&
      env[variables.webRoot] !== '' && { webRoot: resolve(cwd, env[variables.webRoot] ?? '') }),
    ...overrides,
  };
  const parsed = ServerConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const key = issue.path[0] as keyof typeof variables | 'downloads' | undefined;
      const field = issue.path[1];
      const name =
        key === 'downloads'
          ? (downloadVariables[field as keyof DownloadSettings] ?? 'downloads')
          : key === 'advisoryFiles' && field !== undefined
            ? advisoryFilesVariables[field as keyof typeof advisoryFilesVariables]
            : key === undefined
              ? 'configuration'
              : variables[key];
      return `${name}: ${issue.message}`;
    }),
  };
}

/** The security group's settings (their defaults live in the data directory). */
function securitySettings(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): Record<string, unknown> {
  const webhook = env[variables.auditCheckpointWebhook];
  return {
    trustProxy: trustProxySetting(env[variables.trustProxy]),
    metricsPublic: env[variables.metricsPublic] === 'true',
    auditKeyFile: resolve(dataDir, env[variables.auditKeyFile] ?? 'audit-checkpoint-key.pem'),
    auditCheckpointFile: resolve(
      dataDir,
      env[variables.auditCheckpointFile] ?? 'audit-checkpoints.jsonl',
    ),
    auditCheckpointIntervalSeconds: integer(env[variables.auditCheckpointIntervalSeconds], 900),
    ...(webhook !== undefined && webhook !== '' && { auditCheckpointWebhook: webhook }),
  };
}

/** A setting that cannot be used: the server does not start, and says which and why. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}
