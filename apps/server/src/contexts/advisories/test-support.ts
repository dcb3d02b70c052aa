/**
 * Test helpers of the advisories context: a real HTTP feed server (node:http) that answers
 * conditional requests the way object stores do, and can be told to misbehave (break the
 * connection after N bytes, stall, answer an error status, omit Content-Length); and a tiny
 * forward proxy (CONNECT tunnels and absolute-form requests) that records what it carried.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { configFromEnv } from '../../config.ts';
import type { DownloadSettings } from '../../config.ts';

export interface FeedFile {
  readonly body: Buffer;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  /** Extra answer headers (x-goog-hash, Content-MD5…). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type Misbehaviour =
  | { readonly breakAfter: number }
  | { readonly status: number; readonly retryAfter?: number }
  | { readonly stall: true }
  | { readonly chunked: true }
  | { readonly redirect: string };

export interface FeedRequest {
  readonly path: string;
  readonly status: number;
  readonly ifNoneMatch: string | undefined;
}

/** The GCS-style headers of a body: ETag and x-goog-hash md5 (crc32c left to the tests). */
export function objectHeaders(body: Buffer): { etag: string; headers: Record<string, string> } {
  const md5 = createHash('md5').update(body).digest();
  return {
    etag: `"${md5.toString('hex')}"`,
    headers: { 'x-goog-hash': `md5=${md5.toString('base64')}` },
  };
}

export class FeedServer {
  readonly files = new Map<string, FeedFile>();
  readonly requests: FeedRequest[] = [];
  /** Bodies answered in full with 200. */
  bodiesSent = 0;
  private readonly plans = new Map<string, Misbehaviour[]>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => this.answer(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  url(path: string): string {
    return `http://${this.host}${path}`;
  }

  /** Serve `body` at `path` (an ETag and x-goog-hash by default, as GCS does). */
  serve(path: string, body: Buffer, extra: Partial<FeedFile> = {}): void {
    this.files.set(path, { ...objectHeaders(body), body, ...extra });
  }

  /** The next requests of `path` misbehave, one each, in order. */
  misbehave(path: string, ...plans: Misbehaviour[]): void {
    this.plans.set(path, [...(this.plans.get(path) ?? []), ...plans]);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://feed').pathname;
    const ifNoneMatch = req.headers['if-none-match'];
    const record = (status: number) => this.requests.push({ path, status, ifNoneMatch });
    const plan = this.plans.get(path)?.shift();
    const file = this.files.get(path);
    if (plan !== undefined && 'status' in plan) {
      record(plan.status);
      res.writeHead(plan.status, {
        'content-type': 'text/plain',
        ...(plan.retryAfter !== undefined && { 'retry-after': String(plan.retryAfter) }),
      });
      res.end('secret internal page: must never be echoed');
      return;
    }
    if (plan !== undefined && 'redirect' in plan) {
      record(302);
      res.writeHead(302, { location: plan.redirect });
      res.end();
      return;
    }
    if (file === undefined) {
      record(404);
      res.writeHead(404).end();
      return;
    }
    if (
      (file.etag !== undefined && ifNoneMatch === file.etag) ||
      (ifNoneMatch === undefined &&
        file.lastModified !== undefined &&
        req.headers['if-modified-since'] === file.lastModified)
    ) {
      record(304);
      res.writeHead(304, { ...(file.etag !== undefined && { etag: file.etag }) }).end();
      return;
    }
    record(200);
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      ...(file.etag !== undefined && { etag: file.etag }),
      ...(file.lastModified !== undefined && { 'last-modified': file.lastModified }),
      ...file.headers,
    };
    if (plan !== undefined && 'stall' in plan) {
      res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
      res.write(file.body.subarray(0, 16));
      return; // and never finish
    }
    if (plan !== undefined && 'breakAfter' in plan) {
      res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
      res.write(file.body.subarray(0, plan.breakAfter), () => res.socket?.destroy());
      return;
    }
    if (plan !== undefined && 'chunked' in plan) {
      res.writeHead(200, headers);
      for (let at = 0; at < file.body.length; at += 64 * 1024)
        res.write(file.body.subarray(at, at + 64 * 1024));
      res.end();
      this.bodiesSent++;
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
    res.end(file.body);
    this.bodiesSent++;
  }
}

/** A forward proxy: CONNECT tunnels (what undici's ProxyAgent uses) and absolute-form GETs. */
export class TestProxy {
  /** `host:port` of every tunnel or request carried. */
  readonly carried: string[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => {
      const target = new URL(req.url ?? '');
      this.carried.push(target.host);
      const upstream = httpRequest(
        target,
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.sockets.add(socket);
      const [host = '', port = '443'] = (req.url ?? '').split(':');
      this.carried.push(`${host}:${port}`);
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    this.server.on('connection', (socket) => this.sockets.add(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The configuration's download defaults, with the test feed's host allowed over http. */
export function testDownloadSettings(
  hosts: readonly string[],
  overrides: Partial<DownloadSettings> = {},
): DownloadSettings {
  const result = configFromEnv({}, '/nonexistent');
  if (!result.ok) throw new Error(result.errors.join('; '));
  return {
    ...result.config.downloads,
    allowHttp: true,
    allowedHosts: [...hosts],
    retries: 2,
    ...overrides,
  };
}
