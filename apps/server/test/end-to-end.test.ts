/**
 * The whole flow through HTTP and the real job runner, on both databases: upload real
 * inventories, configure and sync real advisories and CISA data, reconcile, list prioritised
 * findings, triage one, verify the audit chain.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import type { Database } from '../src/db/database.ts';
import { registerJobs } from '../src/main.ts';
import { JobRunner } from '../src/contexts/jobs/index.ts';
import { testApp } from './app.ts';
import { testCaller } from './auth.ts';
import { testDatabases } from './databases.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

describe.each(testDatabases())('end to end on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  it.skipIf(skip !== undefined)(
    'uploads, syncs, reconciles, prioritises, triages and audits',
    async () => {
      database = await open();
      const app = await testApp(database);
      built = app;
      const server = app.app;
      const runner = new JobRunner(app.context, {
        workerId: 'test',
        concurrency: 1,
        leaseSeconds: 60,
        pollMs: 1000,
      });
      registerJobs(runner, app.context);
      const runAll = async () => {
        while (await runner.runOnce()) {
          /* drain the queue */
        }
      };
      const admin = await testCaller(database, ['admin']);
      const analyst = await testCaller(database, ['security_analyst']);

      // An asset with a real Debian 12 inventory.
      const created = await server.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: {
          name: 'web-01',
          kind: 'host',
          environment: 'production',
          criticality: 'high',
          exposure: 'internet',
        },
      });
      expect(created.statusCode).toBe(201);
      const asset = created.json<{ id: string }>();
      const upload = await server.inject({
        method: 'POST',
        url: `/api/v1/assets/${asset.id}/inventory?name=dpkg-query.tsv`,
        headers: { ...admin.headers, 'content-type': 'text/plain' },
        payload: readFileSync(`${repo}examples/debian-bookworm/dpkg-query.tsv`, 'utf8'),
      });
      expect(upload.statusCode).toBe(201);

      // Advisory sources: real OSV records (Debian 12, from the packages' changelogs) and CVE 5.
      for (const [name, kind, path] of [
        ['Debian 12 changelogs', 'osv-directory', `${repo}examples/advisories/debian-12`],
        ['CISA vulnrichment excerpt', 'cve5', `${repo}examples/cve5`],
      ] as const) {
        const source = await server.inject({
          method: 'POST',
          url: '/api/v1/advisory-sources',
          headers: admin.headers,
          payload: { name, kind, path },
        });
        expect(source.statusCode, source.body).toBe(201);
        const sync = await server.inject({
          method: 'POST',
          url: `/api/v1/advisory-sources/${source.json<{ id: string }>().id}/sync`,
          headers: admin.headers,
        });
        expect(sync.statusCode).toBe(202);
      }
      await runAll();

      const list = await server.inject({
        url: '/api/v1/findings?limit=500',
        headers: analyst.headers,
      });
      expect(list.statusCode).toBe(200);
      const findings = list.json<{
        findings: {
          id: string;
          advisory: { id: string };
          package: { name: string };
          priority: string;
          dueDate: string | null;
        }[];
      }>().findings;
      // The same 91 findings `patchgate scan` reports for this host (README example).
      expect(findings).toHaveLength(91);
      expect(findings.filter((f) => f.package.name === 'libssl3').length).toBeGreaterThan(0);

      const target = findings.find((f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148');
      expect(target).toBeDefined();
      const triage = await server.inject({
        method: 'PUT',
        url: `/api/v1/findings/${target?.id}/triage`,
        headers: analyst.headers,
        payload: {
          state: 'not_affected',
          justification: 'code_not_reachable',
          detail: 'The WebSocket code is not used on this host.',
        },
      });
      expect(triage.statusCode, triage.body).toBeLessThan(300);

      const verification = await server.inject({
        url: '/api/v1/audit/verification',
        headers: admin.headers,
      });
      expect(verification.json()).toMatchObject({ ok: true });
      const events = await server.inject({
        url: '/api/v1/audit/events?limit=1000',
        headers: admin.headers,
      });
      const actions = events.json<{ events: { action: string }[] }>().events.map((e) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'asset.created',
          'inventory.uploaded',
          'findings.reconciled',
          'finding.triaged',
        ]),
      );
    },
  );
});
