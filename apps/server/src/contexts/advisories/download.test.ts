import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sharedData } from '@patchgate/testing';
import type { Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadLimits, DownloadRequest } from './download.ts';
import {
  checkUrl,
  checksumFor,
  crc32c,
  createDispatcher,
  DownloadError,
  Downloader,
  expectedDigests,
  size,
} from './download.ts';
import { FeedServer, TestProxy } from './test-support.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const sharedKev = sharedData('advisories/kev/known_exploited_vulnerabilities.json');
/** The real KEV catalogue (shared data), or the committed excerpt in a clean clone. */
const kev = readFileSync(
  existsSync(sharedKev)
    ? sharedKev
    : join(repo, 'packages/sources/testdata/kev/known_exploited_vulnerabilities.excerpt.json'),
);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('Downloader against a local feed server', () => {
  let feed: FeedServer;
  let dir: string;
  const dispatchers: Dispatcher[] = [];
  let slept: number[];

  beforeEach(async () => {
    feed = await new FeedServer().start();
    dir = mkdtempSync(join(tmpdir(), 'patchgate-download-'));
    slept = [];
  });
  afterEach(async () => {
    for (const dispatcher of dispatchers.splice(0)) await dispatcher.destroy();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function downloader(
    limits: Partial<DownloadLimits> = {},
    proxy: { httpProxy?: string; noProxy?: string } = {},
  ) {
    const dispatcher = await createDispatcher({
      connectTimeoutMs: 5000,
      timeoutMs: 30_000,
      ...proxy,
    });
    dispatchers.push(dispatcher);
    return new Downloader({
      policy: { allowHttp: true, allowedHosts: ['127.0.0.1'] },
      limits: { maxBytes: 64 * 2 ** 20, timeoutMs: 30_000, retries: 2, ...limits },
      dispatcher,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
  }

  const request = (
    path: string,
    validators = { etag: null as string | null, lastModified: null as string | null },
    extra: Partial<DownloadRequest> = {},
  ): DownloadRequest => ({
    url: feed.url(path),
    validators,
    destination: join(dir, 'incoming.json'),
    signal: new AbortController().signal,
    ...extra,
  });

  async function failure(promise: Promise<unknown>): Promise<DownloadError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DownloadError);
    return error as DownloadError;
  }

  it('downloads, verifies, then gets a 304 for the same validators', async () => {
    feed.serve('/kev.json', kev, { lastModified: 'Mon, 25 Aug 2025 16:00:00 GMT' });
    const get = await downloader();
    const progress: [number, number | null][] = [];
    const first = await get.download(
      request('/kev.json', undefined, {
        onProgress: (received, total) => {
          progress.push([received, total]);
        },
      }),
    );
    expect(progress.at(-1)).toEqual([kev.length, kev.length]);
    expect(first).toEqual({
      status: 'downloaded',
      finalUrl: feed.url('/kev.json'),
      bytes: kev.length,
      sha256: sha256(kev),
      etag: feed.files.get('/kev.json')?.etag,
      lastModified: 'Mon, 25 Aug 2025 16:00:00 GMT',
      verified: ['content-length', 'md5 (x-goog-hash)'],
      attempts: 1,
    });
    expect(readFileSync(join(dir, 'incoming.json')).equals(kev)).toBe(true);
    rmSync(join(dir, 'incoming.json'));
    const second = await get.download(
      request('/kev.json', {
        etag: first.status === 'downloaded' ? first.etag : null,
        lastModified: null,
      }),
    );
    expect(second).toEqual({
      status: 'not-modified',
      finalUrl: feed.url('/kev.json'),
      attempts: 1,
    });
    expect(existsSync(join(dir, 'incoming.json'))).toBe(false);
    expect(feed.requests.map((r) => r.status)).toEqual([200, 304]);
    expect(feed.bodiesSent).toBe(1);
  });

  it('sends If-Modified-Since when the publisher gives no ETag', async () => {
    feed.serve('/kev.json', kev, {
      etag: undefined,
      lastModified: 'Mon, 25 Aug 2025 16:00:00 GMT',
    });
    const outcome = await (
      await downloader()
    ).download(request('/kev.json', { etag: null, lastModified: 'Mon, 25 Aug 2025 16:00:00 GMT' }));
    expect(outcome.status).toBe('not-modified');
  });

  it('retries a connection broken mid-body and leaves no partial file when it keeps breaking', async () => {
    feed.serve('/kev.json', kev);
    feed.misbehave('/kev.json', { breakAfter: 1000 });
    const get = await downloader();
    const recovered = await get.download(request('/kev.json'));
    expect(recovered).toMatchObject({ status: 'downloaded', attempts: 2, sha256: sha256(kev) });
    expect(slept).toEqual([1000]);

    feed.misbehave('/kev.json', { breakAfter: 1000 }, { breakAfter: 1000 }, { breakAfter: 1000 });
    const error = await failure(get.download(request('/kev.json')));
    expect(error.reason).toBe('network');
    expect(error.message).toMatch(
      new RegExp(
        `^the connection broke after 1000 of ${kev.length} bytes: .*\\(gave up after 3 attempts\\)$`,
      ),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('backs off on 5xx (Retry-After wins), never retries a 404, and never echoes the body', async () => {
    feed.serve('/kev.json', kev);
    feed.misbehave('/kev.json', { status: 503 }, { status: 502 }, { status: 429, retryAfter: 7 });
    const outcome = await (await downloader({ retries: 3 })).download(request('/kev.json'));
    expect(outcome).toMatchObject({ status: 'downloaded', attempts: 4 });
    expect(slept).toEqual([1000, 2000, 7000]);

    const missing = await failure((await downloader()).download(request('/nothing.json')));
    expect([missing.reason, missing.retryable, missing.message]).toEqual([
      'http-status',
      false,
      `HTTP 404 from ${feed.host}`,
    ]);
    feed.misbehave('/kev.json', { status: 500 }, { status: 500 }, { status: 500 });
    const broken = await failure((await downloader()).download(request('/kev.json')));
    expect(broken.message).toBe(`HTTP 500 from ${feed.host} (gave up after 3 attempts)`);
    expect(broken.message).not.toMatch(/secret/);
  });

  it('refuses a body over the limit, announced or streamed, without retrying', async () => {
    feed.serve('/kev.json', kev);
    const get = await downloader({ maxBytes: 1024 });
    const announced = await failure(get.download(request('/kev.json')));
    expect([announced.reason, announced.message]).toEqual([
      'too-large',
      `the body is ${size(kev.length)}, over the 1.0 KiB limit (PATCHGATE_DOWNLOAD_MAX_BYTES)`,
    ]);
    feed.misbehave('/kev.json', { chunked: true });
    const streamed = await failure(get.download(request('/kev.json')));
    expect([streamed.reason, streamed.message]).toEqual([
      'too-large',
      'the body grew over the 1.0 KiB limit (PATCHGATE_DOWNLOAD_MAX_BYTES); refused',
    ]);
    expect(feed.requests).toHaveLength(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives up on a server that stalls, within the total timeout', async () => {
    feed.serve('/kev.json', kev);
    feed.misbehave('/kev.json', { stall: true });
    const error = await failure(
      (await downloader({ timeoutMs: 300, retries: 0 })).download(request('/kev.json')),
    );
    expect([error.reason, error.message]).toEqual([
      'timeout',
      'no complete answer within 0.3 s (PATCHGATE_DOWNLOAD_TIMEOUT_SECONDS); 16 bytes had arrived',
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('checks x-goog-hash (md5 and crc32c), Repr-Digest and a checksum file', async () => {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(0, kev));
    const md5 = createHash('md5').update(kev).digest('base64');
    feed.serve('/kev.json', kev, {
      headers: {
        'x-goog-hash': `crc32c=${crc.toString('base64')},md5=${md5}`,
        'repr-digest': `sha-256=:${createHash('sha256').update(kev).digest('base64')}:`,
      },
    });
    feed.serve(
      '/SHA256SUMS',
      Buffer.from(`${'0'.repeat(64)}  other.json\n${sha256(kev)}  kev.json\n`),
    );
    const get = await downloader();
    const outcome = await get.download(
      request('/kev.json', undefined, { checksumUrl: feed.url('/SHA256SUMS') }),
    );
    expect(outcome).toMatchObject({
      verified: [
        'content-length',
        'md5 (x-goog-hash)',
        'crc32c (x-goog-hash)',
        'sha256 (Repr-Digest)',
        'sha256 (checksum file)',
      ],
    });

    feed.serve('/kev.json', kev, {
      headers: { 'x-goog-hash': `md5=${createHash('md5').update('other').digest('base64')}` },
    });
    const damaged = await failure(get.download(request('/kev.json')));
    expect([damaged.reason, damaged.message]).toEqual([
      'integrity',
      'MD5 differs from x-goog-hash: the download is damaged (gave up after 3 attempts)',
    ]);
    feed.serve('/kev.json', kev, { headers: {} });
    feed.serve('/SHA256SUMS', Buffer.from(`${'1'.repeat(64)}  kev.json\n`));
    const mismatch = await failure(
      get.download(request('/kev.json', undefined, { checksumUrl: feed.url('/SHA256SUMS') })),
    );
    expect(mismatch.message).toMatch(/^SHA-256 differs from the checksum file/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('follows redirects only to allowed hosts', async () => {
    feed.serve('/epss_scores-2026-09-29.csv.gz', kev);
    feed.misbehave('/epss_scores-current.csv.gz', { redirect: '/epss_scores-2026-09-29.csv.gz' });
    const get = await downloader();
    expect(await get.download(request('/epss_scores-current.csv.gz'))).toMatchObject({
      status: 'downloaded',
      finalUrl: feed.url('/epss_scores-2026-09-29.csv.gz'),
    });
    feed.misbehave('/kev.json', { redirect: 'http://169.254.169.254/latest/meta-data/' });
    const error = await failure(get.download(request('/kev.json')));
    expect([error.reason, error.message]).toEqual([
      'not-allowed',
      "169.254.169.254 is not an allowed download host (the built-in catalogue's hosts and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS)",
    ]);
  });

  it('goes through the configured proxy, except for NO_PROXY hosts', async () => {
    const proxy = await new TestProxy().start();
    try {
      feed.serve('/kev.json', kev);
      const proxied = await downloader({}, { httpProxy: proxy.url });
      expect(await proxied.download(request('/kev.json'))).toMatchObject({
        status: 'downloaded',
        sha256: sha256(kev),
      });
      expect(proxy.carried).toEqual([feed.host]);
      const direct = await downloader({}, { httpProxy: proxy.url, noProxy: '127.0.0.1' });
      await direct.download(request('/kev.json'));
      expect(proxy.carried).toEqual([feed.host]);
    } finally {
      await proxy.close();
    }
  });
});

describe('checkUrl', () => {
  const policy = { allowHttp: false, allowedHosts: ['www.cisa.gov', 'mirror.example:8443'] };
  it.each([
    ['https://www.cisa.gov/feeds/kev.json', undefined],
    ['https://mirror.example:8443/all.zip', undefined],
    ['https://mirror.example/all.zip', 'mirror.example is not an allowed download host'],
    ['http://www.cisa.gov/kev.json', 'only https: URLs are downloaded'],
    ['file:///etc/shadow', 'only https: URLs are downloaded'],
    ['https://user:pw@www.cisa.gov/kev.json', 'credentials in a URL are not accepted'],
    ['not a url', 'not a valid absolute URL'],
  ])('%s', (url, error) => {
    if (error === undefined) expect(checkUrl(url, policy).href).toBe(url);
    else expect(() => checkUrl(url, policy)).toThrow(error);
  });
});

describe('digests', () => {
  it('reads x-goog-hash, Content-MD5 and Repr-Digest, and ignores x-goog-hash on a transcoded object', () => {
    const goog = { 'x-goog-hash': ['crc32c=n03x6A==', 'md5=Ojk9c3dhfxgoKVVHYwFbHQ=='] };
    expect(expectedDigests(goog)).toEqual({
      crc32c: 'n03x6A==',
      md5: { value: 'Ojk9c3dhfxgoKVVHYwFbHQ==', from: 'x-goog-hash' },
    });
    expect(expectedDigests({ ...goog, 'x-goog-stored-content-encoding': 'gzip' })).toEqual({});
    expect(
      expectedDigests({
        'content-md5': 'Ojk9c3dhfxgoKVVHYwFbHQ==',
        'repr-digest': 'sha-512=:AAAA:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      }),
    ).toEqual({
      md5: { value: 'Ojk9c3dhfxgoKVVHYwFbHQ==', from: 'Content-MD5' },
      sha256: { value: 'X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=', from: 'Repr-Digest' },
    });
  });

  it('computes CRC32C (check value of "123456789")', () => {
    expect(crc32c(0, Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(crc32c(0, Buffer.from('1234')), Buffer.from('56789'))).toBe(0xe3069283);
  });
  it.each([
    [`${'a'.repeat(64)}  all.zip\n`, 'all.zip', 'a'.repeat(64)],
    [`${'a'.repeat(64)} *dir/all.zip\n${'b'.repeat(64)}  kev.json`, 'all.zip', 'a'.repeat(64)],
    [`${'c'.repeat(64)}\n`, 'all.zip', 'c'.repeat(64)],
    [`${'a'.repeat(64)}  other.zip\n${'b'.repeat(64)}  more.zip`, 'all.zip', undefined],
  ])('checksumFor(%j, %s)', (text, name, hash) => {
    expect(checksumFor(text, name)).toBe(hash);
  });
});
