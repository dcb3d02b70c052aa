/** `patchgate server --demo`: a fresh server becomes a demo organisation with real findings. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const bin = `${repoRoot}apps/cli/bin/patchgate.js`;
const work = mkdtempSync(join(tmpdir(), 'patchgate-demo-'));
const env = {
  ...process.env,
  PATCHGATE_CONFIG_DIR: join(work, 'config'),
  PATCHGATE_LOG_LEVEL: 'warn',
  // The demo's lab (agents in sandbox roots) has its own test: apps/cli/src/lab.test.ts.
  PATCHGATE_DEMO_LAB: 'off',
};
let server: ReturnType<typeof spawn> | undefined;

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('patchgate server --demo', () => {
  it('seeds assets, sources and syncs, and logs the CLI in', async () => {
    const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    server = spawn(
      process.execPath,
      [bin, 'server', '--port', '0', '--data-dir', join(work, 'data'), '--demo'],
      { env },
    );
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      server?.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('The CLI is logged in')) resolve(out);
      });
      server?.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
    expect(banner).toMatch(/Log in as admin with password \S{16} \(shown only now\)/);
    // The CAB and its operator, each with a password of their own, printed once.
    const passwords = new Set<string>();
    for (const [username, who] of [
      ['maria.keller', 'Maria Keller, change manager'],
      ['jonas.weber', 'Jonas Weber, web service owner, CAB, emergency approver'],
      ['aisha.khan', 'Aisha Khan, security lead, CAB'],
      ['tom.berg', 'Tom Berg, operator'],
    ] as const) {
      const line = new RegExp(
        `Log in as ${username.replace('.', '\\.')} with password (\\S{16}) \\(shown only now\\): ${who}`,
      ).exec(banner);
      expect(line, banner).not.toBeNull();
      passwords.add(line?.[1] ?? '');
    }
    expect(passwords.size).toBe(4);
    // The organisation's past (apps/server/src/demo/history.ts), seeded before its change.
    const history =
      /^Demo history added: the past 90 days of (\d+) findings \((\d+) exceptions\) and (\d+) changes with approvals and reviews, on the demo's assets and 4 hosts of its past, and (\d+) daily metric snapshots, audited as "demo history"\.$/m.exec(
        banner,
      );
    expect(history, banner).not.toBeNull();
    const historyChanges = Number(history?.[3]);
    expect(historyChanges).toBeGreaterThan(20);
    expect(Number(history?.[4])).toBeGreaterThanOrEqual(90);
    const demoAssetNames = ['web-01', 'bridge', 'db-01'];

    let findings: { priority: string; severity: string; asset: { name: string } }[] = [];
    for (let i = 0; i < 60 && findings.length < 227; i++) {
      const listed = spawnSync(
        process.execPath,
        [bin, 'findings', 'list', '--limit', '500', '--json'],
        { env, encoding: 'utf8' },
      );
      // The history's open findings are on its own hosts: count the demo assets' only.
      findings = (JSON.parse(listed.stdout) as { findings: typeof findings }).findings.filter((f) =>
        demoAssetNames.includes(f.asset.name),
      );
      if (findings.length < 227) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The same findings `patchgate scan` reports for these inventories: 149 on the Debian host
    // and the Go application (README), 78 on the AlmaLinux host (its bug-fix errata are not).
    expect(findings).toHaveLength(227);
    // Real facts (AlmaLinux's severities, vulnrichment CVSS and SSVC, KEV) spread the priorities:
    // the KEV-listed glibc flaw (CVE-2023-4911) is P1, medium-severity errata P3.
    const count = (priority: string) => findings.filter((f) => f.priority === priority).length;
    expect({ P1: count('P1'), P2: count('P2'), P3: count('P3') }).toEqual({
      P1: 4,
      P2: 171,
      P3: 52,
    });
    const table = spawnSync(process.execPath, [bin, 'findings', 'list', '--asset', 'db-01'], {
      env,
      encoding: 'utf8',
    });
    expect(table.status).toBe(1);
    expect(table.stdout).toMatch(
      /^P1 +\d{4}-\d\d-\d\d +db-01 +glibc +2\.28-164\.el8 +ALSA-2023:5455 +high /m,
    );
    expect(table.stdout).toMatch(/^78 of 78 rows \(78 of 78 findings on binary packages\)$/m);
    // The demo's maintenance windows pick their assets by selector; the year-end freeze is there.
    const windows = spawnSync(process.execPath, [bin, 'windows', 'list', '--json'], {
      env,
      encoding: 'utf8',
    });
    expect(
      (JSON.parse(windows.stdout) as { windows: { name: string; assets: string[] }[] }).windows.map(
        (w) => [w.name, w.assets],
      ),
    ).toEqual([
      // With the history's hosts (db-02, web-03, web-02, app-01).
      ['database Sunday', ['db-01', 'db-02']],
      ['staging office hours', ['bridge', 'web-03']],
      ['web nightly', ['app-01', 'web-01', 'web-02', 'web-03']],
    ]);
    const freezes = spawnSync(process.execPath, [bin, 'freezes', 'list'], {
      env,
      encoding: 'utf8',
    });
    expect(freezes.stdout).toMatch(
      /year-end freeze\s+2026-12-20T00:00:00.000Z to 2027-01-04T00:00:00.000Z; emergency changes may override it/,
    );
    // A change from web-01's P1/P2 findings, submitted: it waits for the CAB.
    interface AgendaChange {
      number: string;
      state: string;
      assets: { name: string }[];
      requester: { name: string };
      implementer: { name: string } | null;
      approvals: {
        ruleId: string;
        currentStage: number | null;
        stages: { name: string; eligibleApproverIds: string[]; unreachable: string | null }[];
      };
    }
    let agenda: AgendaChange[] = [];
    for (let i = 0; i < 60 && agenda.length === 0; i++) {
      const listed = spawnSync(process.execPath, [bin, 'changes', 'agenda', '--json'], {
        env,
        encoding: 'utf8',
      });
      agenda = (JSON.parse(listed.stdout) as { changes: typeof agenda }).changes;
      if (agenda.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(agenda).toMatchObject([
      {
        number: `CHG-${String(historyChanges + 1).padStart(4, '0')}`,
        state: 'authorise',
        assets: [{ name: 'web-01' }],
        requester: { name: 'admin' },
        implementer: { name: 'tom.berg' },
        approvals: { ruleId: 'normal-production', currentStage: 1 },
      },
    ]);
    // Real, eligible people: Jonas as the service owner now; then two of the CAB, which the
    // requester (admin) and the implementer (Tom) are not in.
    const users = spawnSync(process.execPath, [bin, 'users', 'list', '--json'], {
      env,
      encoding: 'utf8',
    });
    const byId = new Map(
      (JSON.parse(users.stdout) as { users: { id: string; username: string }[] }).users.map((u) => [
        u.id,
        u.username,
      ]),
    );
    const stages = agenda[0]?.approvals.stages ?? [];
    expect(stages.map((s) => [s.name, s.unreachable])).toEqual([
      ['service owner', null],
      ['CAB', null],
    ]);
    expect(stages[0]?.eligibleApproverIds.map((id) => byId.get(id))).toEqual(['jonas.weber']);
  }, 120_000);

  it('refuses an unknown policy with exit 2 before starting', () => {
    const result = spawnSync(
      process.execPath,
      [bin, 'server', '--port', '0', '--data-dir', join(work, 'other'), '--policy', 'nonsense'],
      { env, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /PATCHGATE_POLICY: "nonsense" is neither a built-in policy nor a readable file/,
    );
  });
});
