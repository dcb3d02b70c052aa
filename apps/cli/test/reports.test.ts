/**
 * `patchgate reports …` against a real server over HTTP (started in this process, its job
 * runner running: the real builders, renderers and chromium make the reports): generate waits
 * with progress on standard error and writes the file checked against its SHA-256 (a PDF read
 * back with pdftotext, a CSV with its rows); list, get -o, regenerate; schedules create, list,
 * delete; an unknown change, bad options and a refused caller exit non-zero with a clear message.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestCaller } from '../../server/test/auth.ts';
import { testCaller } from '../../server/test/auth.ts';
import { pdfText, popplerMissing } from '../../server/src/contexts/reports/pdf-test-support.ts';
import { findingRow } from '../../server/src/contexts/reports/runs-test-support.ts';
import type { CliTestServer } from './cli-server.ts';
import { runCliWith, startCliTestServer } from './cli-server.ts';

let fixture: CliTestServer | undefined;
let work = '';
let auditor: TestCaller;
let manager: TestCaller;
let viewer: TestCaller;

const patchgate = (argv: string[], as: TestCaller = auditor) =>
  runCliWith(argv, fixture?.envFor(as.token) ?? {}, work);

async function api(as: TestCaller, path: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(`${fixture?.server.url ?? ''}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${as.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  fixture = await startCliTestServer('reports');
  work = fixture.work;
  const database = fixture.server.context.database;
  auditor = await testCaller(database, ['auditor'], 'audra');
  manager = await testCaller(database, ['change_manager'], 'mona');
  viewer = await testCaller(database, ['viewer'], 'vic');
  const admin = await testCaller(database, ['admin'], 'ada');
  const asset = await api(admin, '/api/v1/assets', {
    name: 'web-7',
    environment: 'production',
    exposure: 'internet',
  });
  await database.db
    .insertInto('findings')
    .values([
      findingRow(
        { id: asset.id, name: 'web-7', environment: 'production', exposure: 'internet' },
        { first_seen_at: '2026-10-02T00:00:00.000Z', aliases_json: '["CVE-2026-7777"]' },
      ),
    ])
    .execute();
  await api(manager, '/api/v1/notification-channels', {
    name: 'reports-hook',
    kind: 'webhook',
    url: 'http://127.0.0.1:9/hook',
    secret: 'a-signing-secret-of-32-characters',
  });
  // The reports are made by the server's own job runner while the CLI waits.
  fixture.server.jobs.start();
}, 60_000);

afterAll(() => fixture?.close());

describe('patchgate reports', () => {
  it('generates a CSV: waits with progress on stderr, writes the file with the recorded SHA-256', async () => {
    const result = await patchgate([
      'reports',
      'generate',
      'fedramp-poam',
      '--format',
      'csv',
      '--environment',
      'production',
      '-o',
      'poam.csv',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^report [0-9a-f-]{36} queued: FedRAMP POA&M/);
    const bytes = readFileSync(join(work, 'poam.csv'));
    const hash = sha256(bytes);
    expect(result.stdout).toContain(`written to poam.csv (${bytes.length} bytes, SHA-256 ${hash})`);
    expect(bytes.toString('utf8').split('\r\n')[0]).toMatch(/^POAM ID,Controls,/);
    expect(bytes.toString('utf8')).toContain('CVE-2026-7777');

    const id = /report ([0-9a-f-]{36})\n$/.exec(result.stdout)?.[1] ?? '';
    const copy = await patchgate(['reports', 'get', id, '-o', 'copy.csv']);
    expect(copy.code, copy.stderr).toBe(0);
    expect(readFileSync(join(work, 'copy.csv'))).toEqual(bytes);
    const shown = await patchgate(['reports', 'get', id]);
    expect(shown.stdout).toContain(`status:    succeeded`);
    expect(shown.stdout).toContain(`SHA-256 ${hash}`);

    const again = await patchgate(['reports', 'regenerate', id, '-o', 'again.csv', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const regenerated = JSON.parse(again.stdout) as { id: string; sha256: string; inputs: unknown };
    expect(regenerated.id).not.toBe(id);
    expect(readFileSync(join(work, 'again.csv')).toString('utf8')).toContain('CVE-2026-7777');

    const list = await patchgate(['reports', 'list', '--type', 'fedramp-poam']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+CREATED\s+TYPE\s+FORMAT\s+STATUS/);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain(regenerated.id);
    expect(list.stdout).toContain('2 reports');
  }, 60_000);

  it.skipIf(popplerMissing() !== undefined)(
    "generates the patch compliance PDF for a period (the issue's command), its text extracted",
    async () => {
      const result = await patchgate([
        'reports',
        'generate',
        'patch-compliance',
        '--period',
        '2026-09-01..2026-11-30',
        '--format',
        'pdf',
        '-o',
        'compliance.pdf',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const bytes = readFileSync(join(work, 'compliance.pdf'));
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = pdfText(bytes);
      expect(text).toMatch(/patch compliance/i);
      expect(text).toContain('2026-09-01 to 2026-11-30');
    },
    120_000,
  );

  it('exits non-zero with the reason: an unknown change, bad options, a refused caller', async () => {
    const failed = await patchgate([
      'reports',
      'generate',
      'change',
      '--change',
      'CHG-9999',
      '--format',
      'json',
      '-o',
      'change.json',
    ]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/patchgate: report request failed: 404 .*CHG-9999/);
    expect(existsSync(join(work, 'change.json'))).toBe(false);

    const cases: [string[], string][] = [
      [
        ['reports', 'generate', 'pci-dss', '--format', 'pdf', '-o', 'x.pdf'],
        'patchgate: reports generate pci-dss: --period <from>..<to> is required (e.g. 2026-09-01..2026-11-30)\n',
      ],
      [
        ['reports', 'generate', 'pci-dss', '--period', '2026-09-01', '--format', 'pdf', '-o', 'x'],
        'patchgate: --period must be two days FROM..TO, e.g. 2026-09-01..2026-11-30 (got "2026-09-01")\n',
      ],
      [
        ['reports', 'generate', 'weekly', '--format', 'pdf', '-o', 'x'],
        'patchgate: the report type must be one of patch-compliance, change, pci-dss, fedramp-poam, bod-26-04, executive (got "weekly")\n',
      ],
      [
        ['reports', 'generate', 'bod-26-04', '-o', 'x'],
        'patchgate: reports generate: --format pdf|csv|json|html is required\n',
      ],
      [
        ['reports', 'generate', 'bod-26-04', '--format', 'csv'],
        'patchgate: reports generate: -o/--output <file> is required\n',
      ],
    ];
    for (const [argv, stderr] of cases) {
      const result = await patchgate(argv);
      expect(result, argv.join(' ')).toMatchObject({ code: 2, stderr });
    }
    const refused = await patchgate(
      ['reports', 'generate', 'bod-26-04', '--format', 'csv', '-o', 'bod.csv'],
      viewer,
    );
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('403');
  });

  it('creates, lists and deletes a schedule; the server refuses a bad rule by its field', async () => {
    const created = await patchgate(
      [
        'reports',
        'schedules',
        'create',
        '--name',
        'monday-poam',
        '--type',
        'fedramp-poam',
        '--format',
        'csv',
        '--rrule',
        'FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0',
        '--time-zone',
        'Europe/Berlin',
        '--period',
        'previous-week',
        '--channel',
        'reports-hook',
      ],
      manager,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(
      /^schedule monday-poam \([0-9a-f-]{36}\): fedramp-poam csv for the previous-week, FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0 in Europe\/Berlin; next \d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z\n$/,
    );
    const list = await patchgate(['reports', 'schedules', 'list'], manager);
    expect(list.stdout).toContain('monday-poam');
    expect(list.stdout).toContain('1 schedule\n');

    const bad = await patchgate(
      [
        'reports',
        'schedules',
        'create',
        '--name',
        'bad',
        '--type',
        'executive',
        '--format',
        'pdf',
        '--rrule',
        'FREQ=HOURLY',
        '--period',
        'previous-day',
        '--channel',
        'reports-hook',
      ],
      manager,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/creating the report schedule failed: 422 .*body\.rrule: RRULE:/);

    const denied = await patchgate(['reports', 'schedules', 'list'], auditor);
    expect(denied.code).toBe(4);

    const deleted = await patchgate(['reports', 'schedules', 'delete', 'monday-poam'], manager);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted schedule monday-poam\n' });
    const empty = await patchgate(['reports', 'schedules', 'list', '--json'], manager);
    expect(JSON.parse(empty.stdout)).toEqual({ schedules: [] });
  });
});
