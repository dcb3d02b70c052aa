import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentClient,
  AgentHttpError,
  AgentRevokedError,
  backoffDelay,
  ServerUnreachableError,
} from './client.ts';
import { agentVersion } from './version.ts';

/** A real HTTP server whose answers the test scripts, one per request. */
let answers: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] =
  [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const answer = answers.shift();
    if (answer === undefined) res.writeHead(500).end();
    else answer(req, res);
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const heartbeat = {
  sentAt: '2026-12-06T10:00:00.000Z',
  agentVersion,
  rebootRequired: false,
  rebootPackages: [],
  servicesNeedingRestart: [],
  queuedResults: 0,
  runningTaskId: null,
};

const client = (observed: string[] = []) =>
  new AgentClient({
    server: `${base}/`,
    credential: 'pga_secret',
    agentVersion,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    onServerTime: (serverTime) => observed.push(serverTime),
  });

describe('AgentClient', () => {
  it('sends the protocol header and the bearer credential; retries 5xx; reports serverTime', async () => {
    answers = [
      json(503, { title: 'Service Unavailable' }),
      json(502, {}),
      json(200, { serverTime: '2026-12-06T10:00:01.000Z', inventoryWanted: true }),
    ];
    seen.length = 0;
    const observed: string[] = [];
    const answer = await client(observed).heartbeat(heartbeat);
    expect(answer).toEqual({ serverTime: '2026-12-06T10:00:01.000Z', inventoryWanted: true });
    expect(observed).toEqual(['2026-12-06T10:00:01.000Z']);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toMatchObject({
      method: 'POST',
      url: '/api/v1/agent/heartbeat',
      headers: {
        'patchgate-agent-protocol': '1',
        authorization: 'Bearer pga_secret',
        'content-type': 'application/json',
      },
    });
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual(heartbeat);
  });

  it('measures the clock at a long-poll answer, not at the middle of its wait', async () => {
    answers = [json(200, { serverTime: '2026-12-06T10:00:30.000Z', tasks: [] })];
    seen.length = 0;
    const measured: [number, number][] = [];
    let now = 1_000;
    const polling = new AgentClient({
      server: base,
      credential: 'pga_secret',
      agentVersion,
      localNow: () => (now += 30_000), // the request leaves at 31 000, its answer comes at 61 000
      onServerTime: (_time, sentAtMs, receivedAtMs) => measured.push([sentAtMs, receivedAtMs]),
    });
    expect(await polling.pollTasks(30)).toEqual({
      serverTime: '2026-12-06T10:00:30.000Z',
      tasks: [],
    });
    expect(seen[0]?.url).toBe('/api/v1/agent/tasks?waitSeconds=30');
    expect(measured).toEqual([[61_000, 61_000]]);
  });

  it('stops at a 401: the agent was revoked (no retry)', async () => {
    answers = [json(401, { title: 'Unauthorized', detail: 'unknown agent credential' })];
    seen.length = 0;
    await expect(client().heartbeat(heartbeat)).rejects.toThrow(AgentRevokedError);
    expect(seen).toHaveLength(1);
  });

  it('does not retry another 4xx; gives up on 5xx after its attempts', async () => {
    answers = [json(422, { title: 'Unprocessable', detail: 'bad field' })];
    const refused = client().heartbeat(heartbeat);
    await expect(refused).rejects.toThrow(AgentHttpError);
    await expect(refused).rejects.toMatchObject({ status: 422, detail: 'bad field' });
    answers = [json(500, {}), json(500, {}), json(500, {})];
    await expect(client().heartbeat(heartbeat)).rejects.toThrow(ServerUnreachableError);
  });

  it('treats a refused connection as a network error, retried then reported', async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const port = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const closed = new AgentClient({
      server: `http://127.0.0.1:${port}`,
      credential: 'pga_x',
      agentVersion,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    await expect(closed.heartbeat(heartbeat)).rejects.toThrow(/ECONNREFUSED \(after 2 attempts\)/);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { attempts: 10, baseDelayMs: 500, maxDelayMs: 30_000 };
    expect([1, 2, 3, 10].map((attempt) => backoffDelay(attempt, policy, () => 0.999999))).toEqual([
      999, 1999, 3999, 29_999,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

it('the agent version is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  expect(agentVersion).toBe(pkg.version);
});
