/**
 * Real receivers for the notification tests: a local HTTP server (node:http) that records
 * every request, and an SMTP server process (smtp-server, STARTTLS with a certificate made by
 * openssl here, AUTH required). Plus a `describeChange` over test data.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { NotifiedChange } from './model.ts';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTP receiver answering each request with the next status of `statuses` (then 200). */
export async function httpReceiver(statuses: number[] = []) {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/patchgate`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SmtpMessage {
  readonly secure: boolean;
  readonly user: string;
  readonly from: string;
  readonly to: string[];
  readonly raw: Buffer;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl now. */
export function selfSignedCertificate(): { cert: string; key: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    dir,
  };
}

/** Start the SMTP server process; `next()` resolves with the next message it receives. */
export async function smtpReceiver(user: string, pass: string) {
  const certificate = selfSignedCertificate();
  const child = spawn(process.execPath, [join(import.meta.dirname, 'test-smtp-receiver.mjs')], {
    env: {
      ...process.env,
      SMTP_CERT: join(certificate.dir, 'cert.pem'),
      SMTP_KEY: join(certificate.dir, 'key.pem'),
      SMTP_USER: user,
      SMTP_PASS: pass,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const messages: SmtpMessage[] = [];
  const waiting: ((message: SmtpMessage) => void)[] = [];
  let listening: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve) => (listening = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as Partial<Omit<SmtpMessage, 'raw'>> & {
      type: string;
      port?: number;
      raw?: string;
    };
    if (event.type === 'listening') listening(event.port ?? 0);
    if (event.type === 'message') {
      const message = {
        ...(event as Omit<SmtpMessage, 'raw'>),
        raw: Buffer.from(event.raw ?? '', 'base64'),
      };
      const waiter = waiting.shift();
      if (waiter === undefined) messages.push(message);
      else waiter(message);
    }
  });
  return {
    port: await port,
    ca: certificate.cert,
    next: () =>
      new Promise<SmtpMessage>((resolve) => {
        const queued = messages.shift();
        if (queued === undefined) waiting.push(resolve);
        else resolve(queued);
      }),
    received: () => messages.length,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(certificate.dir, { recursive: true, force: true });
    },
  };
}

/** A change as the changes context would describe it. */
export function testChange(overrides: Partial<NotifiedChange> = {}): NotifiedChange {
  return {
    id: 'c-1',
    title: 'Patch openssl on the web tier',
    type: 'normal',
    state: 'scheduled',
    risk: 'moderate',
    number: 'CHG-0001',
    windowStart: '2026-11-28T22:00:00.000Z',
    windowEnd: '2026-11-29T01:00:00.000Z',
    assets: [
      { name: 'web-01', ownerTeam: 'web-team' },
      { name: 'web-02', ownerTeam: null },
    ],
    ownerTeams: ['web-team'],
    requester: { id: 'u-req', name: 'Rita Requester' },
    implementer: { id: 'u-imp', name: 'Ivan Implementer' },
    pendingApproverIds: ['u-app'],
    link: '/api/v1/changes/c-1',
    ...overrides,
  };
}

/** `describeChange` over a map of test changes: a real function reading test data. */
export function describeFrom(changes: readonly NotifiedChange[]) {
  const byId = new Map(changes.map((c) => [c.id, c] as const));
  return (_db: unknown, id: string) => Promise.resolve(byId.get(id));
}
