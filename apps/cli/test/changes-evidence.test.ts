/**
 * `patchgate changes evidence …` against a real server over HTTP (started in this process on a
 * fresh data directory): a manual sign-off with two attached files, an automated run, the list
 * (text and --json), a download checked against its SHA-256, and the refusals (a viewer, a file
 * over the server's limit, a missing file) exiting non-zero with the reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaller } from '../../server/test/auth.ts';
import { testCaller } from '../../server/test/auth.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let work = '';
let tester: TestCaller;
let viewer: TestCaller;

const patchgate = (argv: string[], as: TestCaller = tester) =>
  runCliWith(argv, fixture?.envFor(as.token) ?? {}, work);

async function api(as: TestCaller, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${fixture?.server.url ?? ''}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${as.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

beforeAll(async () => {
  fixture = await startCliTestServer('evidence', { PATCHGATE_MAX_EVIDENCE_BYTES: '4096' });
  work = fixture.work;
  const database = fixture.server.context.database;
  tester = await testCaller(database, ['operator'], 'toni');
  viewer = await testCaller(database, ['viewer'], 'vera');
  const admin = await testCaller(database, ['admin'], 'ada');
  await api(admin, '/api/v1/assets', { name: 'web-02', osRelease: 'Debian:12' });
  await api(admin, '/api/v1/assets/web-02/snapshots', {
    packages: [{ ecosystem: 'Debian:12', name: 'openssl', version: '3.0.15-1~deb12u1' }],
  });
  await api(tester, '/api/v1/changes', {
    title: 'openssl on web-02',
    patches: [{ asset: 'web-02', package: 'openssl', toVersion: '3.0.17-1~deb12u2' }],
  });
  writeFileSync(join(work, 'smoke.log'), 'login ok\nfront page ok\n');
  writeFileSync(join(work, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
  writeFileSync(join(work, 'big.bin'), Buffer.alloc(5000, 1));
}, 60_000);

afterAll(() => fixture?.close());

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('patchgate changes evidence', () => {
  it('records a sign-off with files and an automated run, lists them, downloads a file', async () => {
    expect(await patchgate(['changes', 'evidence', 'CHG-0001'])).toMatchObject({
      code: 0,
      stdout: 'CHG-0001: no test evidence\n',
    });
    const signed = await patchgate([
      'changes',
      'evidence',
      'CHG-0001',
      '--sign-off',
      'pass',
      '--notes',
      'Checked on staging',
      '--attach',
      'smoke.log',
      '--attach',
      'shot.png',
      '--json',
    ]);
    expect(signed).toMatchObject({ code: 0, stderr: '' });
    const record = JSON.parse(signed.stdout) as {
      kind: string;
      outcome: string;
      attachments: { id: string; name: string; sha256: string; mediaType: string }[];
    };
    expect(record).toMatchObject({ kind: 'manual', outcome: 'passed' });
    expect(record.attachments.map((a) => [a.name, a.mediaType, a.sha256])).toEqual([
      ['smoke.log', 'text/plain', sha256(readFileSync(join(work, 'smoke.log')))],
      ['shot.png', 'image/png', sha256(readFileSync(join(work, 'shot.png')))],
    ]);

    const automated = await patchgate([
      'changes',
      'evidence',
      'CHG-0001',
      '--automated',
      '--suite',
      'smoke',
      '--passed',
      '12',
      '--failed',
      '0',
      '--link',
      'https://ci.example.org/runs/7',
    ]);
    expect(automated).toMatchObject({ code: 0, stderr: '' });
    expect(automated.stdout).toMatch(
      /^CHG-0001: #2 automated passed \S+ smoke: 12 passed, 0 failed, 0 skipped\n$/,
    );

    const list = await patchgate(['changes', 'evidence', 'CHG-0001'], viewer);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^#1 manual passed \S+ sign-off by toni: Checked on staging\n/);
    expect(list.stdout).toContain(
      `smoke.log (23 bytes, sha256 ${record.attachments[0]?.sha256 ?? ''})`,
    );

    const shot = record.attachments[1];
    const download = await patchgate(
      ['changes', 'evidence-download', 'CHG-0001', shot?.id ?? '', '-o', 'copy.png'],
      viewer,
    );
    expect(download).toMatchObject({ code: 0, stderr: '' });
    expect(download.stdout).toMatch(
      /^shot.png: 8 bytes written to copy.png \(sha256 [0-9a-f]{64} verified\)\n$/,
    );
    expect(readFileSync(join(work, 'copy.png')).equals(readFileSync(join(work, 'shot.png')))).toBe(
      true,
    );
  });

  it('refuses a viewer, an oversized file, a missing file and bad options with the reason', async () => {
    const viewerTry = await patchgate(
      ['changes', 'evidence', 'CHG-0001', '--sign-off', 'pass', '--notes', 'x'],
      viewer,
    );
    expect(viewerTry.code).toBe(4);
    const big = await patchgate([
      'changes',
      'evidence',
      'CHG-0001',
      '--sign-off',
      'fail',
      '--notes',
      'crashed',
      '--attach',
      'big.bin',
    ]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/attaching big.bin failed: 413 The file is larger than/);
    const missing = await patchgate([
      'changes',
      'evidence',
      'CHG-0001',
      '--sign-off',
      'pass',
      '--notes',
      'x',
      '--attach',
      'nope.txt',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the file to attach nope.txt/);
    expect(
      (await patchgate(['changes', 'evidence', 'CHG-0001', '--sign-off', 'maybe', '--notes', 'x']))
        .stderr,
    ).toMatch(/--sign-off must be one of pass, fail/);
    expect(
      (
        await patchgate([
          'changes',
          'evidence',
          'CHG-0001',
          '--automated',
          '--suite',
          's',
          '--passed',
          '1',
        ])
      ).stderr,
    ).toMatch(/--failed is required/);
    expect((await patchgate(['changes', 'evidence', 'CHG-0001', '--notes', 'x'])).stderr).toMatch(
      /--notes needs --sign-off or --automated/,
    );
    const unknown = await patchgate([
      'changes',
      'evidence-download',
      'CHG-0001',
      crypto.randomUUID(),
      '-o',
      'x',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no attached file/);
    // A chunked upload (no Content-Length) past the limit: 413 as it streams, nothing stored.
    const listed = JSON.parse(
      (await patchgate(['changes', 'evidence', 'CHG-0001', '--json'])).stdout,
    ) as {
      evidence: { id: string; attachments: unknown[] }[];
    };
    const latest = listed.evidence.at(-1);
    const chunks = [Buffer.alloc(3000, 2), Buffer.alloc(3000, 3)];
    const streamed = await fetch(
      `${fixture?.server.url ?? ''}/api/v1/changes/CHG-0001/evidence/${latest?.id ?? ''}/attachments?name=chunked.bin`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tester.token}`,
          'content-type': 'application/octet-stream',
        },
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next === undefined) controller.close();
            else controller.enqueue(next);
          },
        }),
        duplex: 'half',
      },
    );
    expect(streamed.status).toBe(413);
    expect(latest?.attachments).toEqual([]);
    // The failed sign-off (its file refused) is recorded; the missing file recorded nothing.
    const list = JSON.parse(
      (await patchgate(['changes', 'evidence', 'CHG-0001', '--json'])).stdout,
    ) as {
      evidence: { outcome: string; attachments: unknown[] }[];
    };
    expect(list.evidence.map((e) => e.outcome)).toEqual(['passed', 'passed', 'failed']);
    expect(list.evidence.flatMap((e) => e.attachments)).toHaveLength(2);
  });
});
