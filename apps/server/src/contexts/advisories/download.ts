/**
 * Download one URL to a file, the way a server that keeps itself current must: conditional
 * requests (If-None-Match / If-Modified-Since → 304, nothing downloaded), a size limit
 * enforced while streaming, connect and total timeouts, the standard proxy variables
 * (undici's EnvHttpProxyAgent: Node 20's bundled fetch honours none of them), retries with
 * exponential backoff on network errors and 5xx/408/429 answers, and every integrity check
 * the publisher offers (Content-Length, Content-MD5, GCS's x-goog-hash, RFC 9530
 * Repr-Digest, a sha256sum-style checksum file). Redirects are followed by hand so that each
 * hop is checked against the allowed hosts. Errors name what failed, never the body.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { serverVersion } from '../../version.ts';

export const downloadFailures = [
  'not-allowed',
  'http-status',
  'too-large',
  'timeout',
  'network',
  'integrity',
  'cancelled',
] as const;
export type DownloadFailure = (typeof downloadFailures)[number];

export class DownloadError extends Error {
  constructor(
    readonly reason: DownloadFailure,
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Which URLs may be fetched: https (http only when allowed) on an allowed host. */
export interface UrlPolicy {
  readonly allowHttp: boolean;
  /** `host` (any port) or `host:port`, lower case. */
  readonly allowedHosts: readonly string[];
}

/** The URL, parsed, if the policy allows it; a `not-allowed` DownloadError otherwise. */
export function checkUrl(text: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DownloadError('not-allowed', 'not a valid absolute URL', false);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new DownloadError(
      'not-allowed',
      policy.allowHttp
        ? `${url.protocol} URLs cannot be downloaded (http: or https: only)`
        : `only https: URLs are downloaded (PATCHGATE_DOWNLOAD_ALLOW_HTTP allows http:)`,
      false,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new DownloadError('not-allowed', 'credentials in a URL are not accepted', false);
  }
  const host = url.hostname.toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  const allowed = policy.allowedHosts.some((entry) => {
    const lower = entry.toLowerCase();
    return lower === host || lower === `${host}:${port}`;
  });
  if (!allowed) {
    throw new DownloadError(
      'not-allowed',
      `${host} is not an allowed download host (the built-in catalogue's hosts and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS)`,
      false,
    );
  }
  return url;
}

export interface DownloadLimits {
  readonly maxBytes: number;
  /** One request, headers and body. */
  readonly timeoutMs: number;
  /** Further tries after a retryable failure. */
  readonly retries: number;
  /** First backoff; doubled per retry, at most 60 s (a Retry-After up to 5 minutes wins). */
  readonly backoffMs?: number;
}

export interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface DownloadRequest {
  readonly url: string;
  readonly validators: Validators;
  /** The file to write; removed again when the download fails. */
  readonly destination: string;
  /** A sha256sum-style file naming the body's SHA-256, when there is one. */
  readonly checksumUrl?: string | null;
  readonly signal: AbortSignal;
  /** Called as bytes arrive (about every 2% or 8 MiB); awaited, so it may write progress. */
  readonly onProgress?: (received: number, total: number | null) => void | Promise<void>;
  /** Called before each retry with why and how long until it. */
  readonly onRetry?: (attempt: number, error: DownloadError, delayMs: number) => void;
}

export interface Downloaded {
  readonly status: 'downloaded';
  /** Where the body came from after redirects. */
  readonly finalUrl: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** The integrity checks that passed, e.g. `content-length`, `md5 (x-goog-hash)`. */
  readonly verified: string[];
  readonly attempts: number;
}

export interface NotModified {
  readonly status: 'not-modified';
  readonly finalUrl: string;
  readonly attempts: number;
}

export type DownloadOutcome = Downloaded | NotModified;
type OneTry = Omit<Downloaded, 'attempts'> | Omit<NotModified, 'attempts'>;

export interface DownloaderOptions {
  readonly policy: UrlPolicy;
  readonly limits: DownloadLimits;
  readonly dispatcher: Dispatcher;
  /** Waits between retries; tests pass one that records and returns at once. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ProxySettings {
  readonly httpProxy?: string | undefined;
  readonly httpsProxy?: string | undefined;
  readonly noProxy?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
}

/**
 * The connection pool: undici's EnvHttpProxyAgent given the configured proxies explicitly
 * (empty strings, not the process environment, when none is configured: the configuration
 * already read HTTP_PROXY, HTTPS_PROXY and NO_PROXY). undici is imported here, lazily, so
 * that nothing loads it until a download happens.
 */
export async function createDispatcher(settings: ProxySettings): Promise<Dispatcher> {
  const { EnvHttpProxyAgent } = await import('undici');
  return new EnvHttpProxyAgent({
    httpProxy: settings.httpProxy ?? '',
    httpsProxy: settings.httpsProxy ?? '',
    noProxy: settings.noProxy ?? '',
    connect: { timeout: settings.connectTimeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
}

const MAX_REDIRECTS = 5;
const CHECKSUM_FILE_LIMIT = 64 * 1024;
const redirects = new Set([301, 302, 303, 307, 308]);
const userAgent = `patchgate/${serverVersion} (advisory sync)`;

/** `12.3 MiB`, `4.0 KiB`: sizes as people read them. */
export const size = (bytes: number) =>
  bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

// --- CRC32C (Castagnoli), what GCS's x-goog-hash carries for every object ---------------

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Continue a CRC32C over more bytes (start with 0); `crc32c('123456789') = 0xe3069283`. */
export function crc32c(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const byte of bytes) c = (CRC32C_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

interface Expected {
  /** Digests the answer's headers state, base64 as sent. */
  md5?: { value: string; from: string };
  crc32c?: string;
  sha256?: { value: string; from: string };
}

/** The digests an answer's headers promise (Content-MD5, x-goog-hash, Repr-Digest, Digest). */
export function expectedDigests(headers: Record<string, string | string[] | undefined>): Expected {
  const expected: Expected = {};
  const contentMd5 = header(headers, 'content-md5');
  if (contentMd5 !== undefined) expected.md5 = { value: contentMd5.trim(), from: 'Content-MD5' };
  // x-goog-hash: crc32c=<b64>,md5=<b64> (composite objects carry only crc32c). An object stored
  // gzip-encoded and served decompressed (GCS "decompressive transcoding") hashes the stored
  // bytes, not the ones received: then the header says nothing about the body.
  const transcoded =
    header(headers, 'x-goog-stored-content-encoding') === 'gzip' &&
    header(headers, 'content-encoding') !== 'gzip';
  for (const part of (transcoded ? '' : (header(headers, 'x-goog-hash') ?? '')).split(',')) {
    const match = /^\s*(crc32c|md5)=(\S+)\s*$/.exec(part);
    if (match?.[1] === 'md5') expected.md5 = { value: match[2] ?? '', from: 'x-goog-hash' };
    else if (match?.[1] === 'crc32c') expected.crc32c = match[2] ?? '';
  }
  // RFC 9530 Repr-Digest: sha-256=:<b64>: ; the older RFC 3230 Digest: SHA-256=<b64>
  const repr = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/i.exec(header(headers, 'repr-digest') ?? '');
  if (repr?.[1] !== undefined) expected.sha256 = { value: repr[1], from: 'Repr-Digest' };
  const digest = /(?:^|,)\s*sha-256=([A-Za-z0-9+/=]+)/i.exec(header(headers, 'digest') ?? '');
  if (expected.sha256 === undefined && digest?.[1] !== undefined)
    expected.sha256 = { value: digest[1], from: 'Digest' };
  return expected;
}

/** The SHA-256 a checksum file gives for `name`: `<hex>  [*]<name>` lines or one bare hash. */
export function checksumFor(text: string, name: string): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const hashes: string[] = [];
  for (const line of lines) {
    const match = /^([0-9a-f]{64})(?:\s+\*?(.+))?$/i.exec(line);
    if (match?.[1] === undefined) continue;
    const hash = match[1].toLowerCase();
    const file = match[2]?.trim();
    if (file !== undefined && (file === name || file.split('/').at(-1) === name)) return hash;
    hashes.push(hash);
  }
  return lines.length === 1 && hashes.length === 1 ? hashes[0] : undefined;
}

/** Stop reading a body: destroying it makes undici emit an AbortError nobody else listens to. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => undefined);
  body.destroy();
}

export class Downloader {
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: DownloaderOptions) {
    this.sleep =
      options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }).then(() => undefined));
  }

  /** Download with retries; the destination exists afterwards only for `downloaded`. */
  async download(request: DownloadRequest): Promise<DownloadOutcome> {
    const { retries, backoffMs = 1000 } = this.options.limits;
    checkUrl(request.url, this.options.policy);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.once(request);
        return { ...outcome, attempts: attempt };
      } catch (caught) {
        await rm(request.destination, { force: true });
        const error = this.classify(caught, request.signal);
        if (!error.retryable || attempt > retries) {
          if (attempt > 1) error.message = `${error.message} (gave up after ${attempt} attempts)`;
          throw error;
        }
        const delay = Math.min(
          error.retryAfterMs ?? Math.min(60_000, backoffMs * 2 ** (attempt - 1)),
          300_000,
        );
        request.onRetry?.(attempt, error, delay);
        try {
          await this.sleep(delay, request.signal);
        } catch {
          throw this.classify(request.signal.reason, request.signal);
        }
      }
    }
  }

  private classify(caught: unknown, signal: AbortSignal): DownloadError {
    if (signal.aborted) {
      return new DownloadError('cancelled', `download stopped: ${String(signal.reason)}`, false);
    }
    if (caught instanceof DownloadError) return caught;
    const code = (caught as { code?: unknown } | null)?.code;
    const name = (caught as { name?: unknown } | null)?.name;
    if (
      name === 'TimeoutError' ||
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : 'waiting for the server';
      return new DownloadError('timeout', `timed out ${what}`, true);
    }
    const detail = typeof code === 'string' ? code : caught instanceof Error ? caught.name : '';
    return new DownloadError('network', `network error${detail ? ` (${detail})` : ''}`, true);
  }

  /** One try: follow redirects, stream the body to the destination, verify it. */
  private async once(request: DownloadRequest): Promise<OneTry> {
    const { request: send } = await import('undici');
    const { limits, policy, dispatcher } = this.options;
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    const headers: Record<string, string> = {
      'user-agent': userAgent,
      accept: '*/*',
      'accept-encoding': 'identity',
    };
    if (request.validators.etag !== null) headers['if-none-match'] = request.validators.etag;
    if (request.validators.lastModified !== null)
      headers['if-modified-since'] = request.validators.lastModified;

    let url = checkUrl(request.url, policy);
    let received = 0;
    let expectedLength: number | null = null;
    try {
      for (let hop = 0; ; hop++) {
        const response = await send(url, { dispatcher, method: 'GET', headers, signal });
        const answer = response.headers;
        if (redirects.has(response.statusCode)) {
          await response.body.dump({ limit: CHECKSUM_FILE_LIMIT });
          const location = header(answer, 'location');
          if (location === undefined || hop >= MAX_REDIRECTS) {
            throw new DownloadError(
              'http-status',
              location === undefined
                ? `HTTP ${response.statusCode} without a Location`
                : `more than ${MAX_REDIRECTS} redirects`,
              false,
            );
          }
          url = checkUrl(new URL(location, url).href, policy);
          continue;
        }
        if (response.statusCode === 304) {
          await response.body.dump({ limit: CHECKSUM_FILE_LIMIT });
          return { status: 'not-modified', finalUrl: url.href };
        }
        if (response.statusCode !== 200) {
          await response.body.dump({ limit: CHECKSUM_FILE_LIMIT }).catch(() => undefined);
          const status = response.statusCode;
          const retryable = status >= 500 || status === 408 || status === 429;
          const retryAfter = Number(header(answer, 'retry-after'));
          throw new DownloadError(
            'http-status',
            `HTTP ${status} from ${url.host}`,
            retryable,
            Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
          );
        }
        const length = header(answer, 'content-length');
        expectedLength = length !== undefined && /^\d+$/.test(length) ? Number(length) : null;
        if (expectedLength !== null && expectedLength > limits.maxBytes) {
          discard(response.body);
          throw new DownloadError(
            'too-large',
            `the body is ${size(expectedLength)}, over the ${size(limits.maxBytes)} limit (PATCHGATE_DOWNLOAD_MAX_BYTES)`,
            false,
          );
        }
        const expected = expectedDigests(answer);
        const sha256 = createHash('sha256');
        const md5 = expected.md5 === undefined ? undefined : createHash('md5');
        let crc = 0;
        const step = Math.max(
          2 ** 20,
          expectedLength === null ? 8 * 2 ** 20 : Math.ceil(expectedLength / 50),
        );
        let nextReport = step;
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            received += chunk.length;
            if (received > limits.maxBytes) {
              done(
                new DownloadError(
                  'too-large',
                  `the body grew over the ${size(limits.maxBytes)} limit (PATCHGATE_DOWNLOAD_MAX_BYTES); refused`,
                  false,
                ),
              );
              return;
            }
            sha256.update(chunk);
            md5?.update(chunk);
            if (expected.crc32c !== undefined) crc = crc32c(crc, chunk);
            if (received >= nextReport && request.onProgress !== undefined) {
              nextReport = received + step;
              Promise.resolve(request.onProgress(received, expectedLength)).then(
                () => done(null, chunk),
                (error: unknown) => done(error as Error),
              );
              return;
            }
            done(null, chunk);
          },
        });
        await pipeline(response.body, meter, createWriteStream(request.destination), { signal });
        await request.onProgress?.(received, expectedLength);

        const verified: string[] = [];
        const fail = (what: string) => {
          throw new DownloadError('integrity', `${what}: the download is damaged`, true);
        };
        if (expectedLength !== null) {
          if (received !== expectedLength)
            fail(`${received} bytes arrived of the ${expectedLength} announced`);
          verified.push('content-length');
        }
        const sha256Hex = sha256.digest('hex');
        if (md5 !== undefined && expected.md5 !== undefined) {
          if (md5.digest('base64') !== expected.md5.value)
            fail(`MD5 differs from ${expected.md5.from}`);
          verified.push(`md5 (${expected.md5.from})`);
        }
        if (expected.crc32c !== undefined) {
          const bytes = Buffer.alloc(4);
          bytes.writeUInt32BE(crc);
          if (bytes.toString('base64') !== expected.crc32c) fail('CRC32C differs from x-goog-hash');
          verified.push('crc32c (x-goog-hash)');
        }
        if (expected.sha256 !== undefined) {
          if (Buffer.from(sha256Hex, 'hex').toString('base64') !== expected.sha256.value)
            fail(`SHA-256 differs from ${expected.sha256.from}`);
          verified.push(`sha256 (${expected.sha256.from})`);
        }
        if (request.checksumUrl !== undefined && request.checksumUrl !== null) {
          const name = decodeURIComponent(url.pathname.split('/').at(-1) ?? '');
          const listed = checksumFor(await this.small(request.checksumUrl, headers, signal), name);
          if (listed === undefined)
            throw new DownloadError('integrity', `the checksum file names no ${name}`, false);
          if (listed !== sha256Hex) fail('SHA-256 differs from the checksum file');
          verified.push('sha256 (checksum file)');
        }
        return {
          status: 'downloaded',
          finalUrl: url.href,
          bytes: received,
          sha256: sha256Hex,
          etag: header(answer, 'etag') ?? null,
          lastModified: header(answer, 'last-modified') ?? null,
          verified,
        };
      }
    } catch (caught) {
      if (timeout.aborted && !request.signal.aborted) {
        throw new DownloadError(
          'timeout',
          `no complete answer within ${limits.timeoutMs / 1000} s (PATCHGATE_DOWNLOAD_TIMEOUT_SECONDS)${received > 0 ? `; ${received} bytes had arrived` : ''}`,
          true,
        );
      }
      if (caught instanceof DownloadError || request.signal.aborted) throw caught;
      const error = this.classify(caught, request.signal);
      if (error.reason === 'network' && received > 0) {
        error.message = `the connection broke after ${received} of ${expectedLength ?? 'an unknown number of'} bytes: ${error.message}`;
      }
      throw error;
    }
  }

  /** A small text file (a checksum list), bounded, following no redirects but allowed ones. */
  private async small(text: string, base: Record<string, string>, signal: AbortSignal) {
    const { request: send } = await import('undici');
    const headers = { ...base };
    delete headers['if-none-match'];
    delete headers['if-modified-since'];
    let url = checkUrl(text, this.options.policy);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await send(url, {
        dispatcher: this.options.dispatcher,
        method: 'GET',
        headers,
        signal,
      });
      const location = header(response.headers, 'location');
      if (redirects.has(response.statusCode) && location !== undefined) {
        await response.body.dump({ limit: CHECKSUM_FILE_LIMIT });
        url = checkUrl(new URL(location, url).href, this.options.policy);
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump({ limit: CHECKSUM_FILE_LIMIT }).catch(() => undefined);
        throw new DownloadError(
          'http-status',
          `checksum file: HTTP ${response.statusCode} from ${url.host}`,
          response.statusCode >= 500,
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > CHECKSUM_FILE_LIMIT) {
          discard(response.body);
          throw new DownloadError('too-large', 'the checksum file is over 64 KiB', false);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString('utf8');
    }
    throw new DownloadError(
      'http-status',
      `checksum file: more than ${MAX_REDIRECTS} redirects`,
      false,
    );
  }
}
