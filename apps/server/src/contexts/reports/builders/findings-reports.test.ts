/**
 * The findings-based reports (fedramp-poam, bod-26-04, pci-dss) on both databases, over the
 * hand-made world of test-support.ts: every figure, the table rows and the CSV columns checked
 * by hand; the recorded inputs rebuild the same figures after later data arrives; the scope
 * narrows and warns; bad requests are 422s.
 */
import { testClock } from '@patchgate/testing';
import type { ReportDocument } from '@patchgate/report';
import { afterEach, describe, expect, it } from 'vitest';
import { testContext } from '../../../../test/app.ts';
import { testDatabases } from '../../../../test/databases.ts';
import type { ServerContext } from '../../../context.ts';
import type { Database } from '../../../db/database.ts';
import { ValidationError } from '../../../http/problems.ts';
import { buildReport, renderReport, requestOfInputs } from '../index.ts';
import { poamColumns } from './fedramp-poam.ts';
import { NOW, assets, findingRow, seedWorld } from './test-support.ts';

const period = { from: '2026-07-01', to: '2026-11-30' };
const asOf = '2026-11-30T23:59:59.999Z';

function tableRows(doc: ReportDocument, name: string) {
  for (const section of doc.sections)
    for (const block of section.blocks)
      if (block.kind === 'table' && block.name === name) return block.rows;
  throw new Error(`no table ${name}`);
}

describe.each(testDatabases())('findings-based reports on $name', ({ open, skip }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function world(policy = 'bod-26-04') {
    database = await open();
    const ctx: ServerContext = testContext(database, testClock(NOW), { policy });
    const f = await seedWorld(database);
    return { ctx, f, database };
  }

  it.skipIf(skip !== undefined)(
    'fedramp-poam: one row per open weakness in the template columns',
    async () => {
      const { ctx, f } = await world();
      const steps: string[] = [];
      const doc = await buildReport(ctx, { type: 'fedramp-poam', period }, (_d, _t, step) =>
        steps.push(step),
      );
      expect(steps.at(-1)).toBe('done');
      expect(doc.inputs).toEqual({
        type: 'fedramp-poam',
        period,
        scope: {},
        policy: { id: 'bod-26-04', name: 'CISA BOD 26-04' },
        dataAsOf: asOf,
      });
      expect(doc.csv.columns.map((c) => c.label)).toEqual([
        'POAM ID',
        'Controls',
        'Weakness Name',
        'Weakness Description',
        'Weakness Detector Source',
        'Weakness Source Identifier',
        'Asset Identifier',
        'Point of Contact',
        'Resources Required',
        'Overall Remediation Plan',
        'Original Detection Date',
        'Scheduled Completion Date',
        'Planned Milestones',
        'Milestone Changes',
        'Status Date',
        'Vendor Dependency',
        'Last Vendor Check-in Date',
        'Vendor Dependent Product Name',
        'Original Risk Rating',
        'Adjusted Risk Rating',
        'Risk Adjustment',
        'False Positive',
        'Operational Requirement',
        'Deviation Rationale',
        'Supporting Documents',
        'Comments',
        'Auto-Approve',
        'Binding Operational Directive 22-01 tracking',
        'Binding Operational Directive 22-01 Due Date',
        'CVE',
        'Service Name',
      ]);
      // Open at 2026-11-30: F3, F4 (db-1), F6 (new-1), F5, F2 (web-1); by asset, package.
      expect(doc.csv.rows.map((r) => r['poamId'])).toEqual(
        ['F3', 'F4', 'F6', 'F5', 'F2'].map((k) => `V-${f[k]?.id ?? ''}`),
      );
      expect(doc.figures).toMatchObject({
        poamOpenItems: 5,
        poamOverdueItems: 2, // F2 (due 09-26), F6 (due 10-23)
        poamHighRisk: 4, // F2, F3, F5 high; F6 critical
        poamVendorDependencies: 1, // F6: no fixed version
        poamOperationalRequirements: 1, // F4's exception
        poamFalsePositives: 1, // F5
        poamRiskAdjustments: 0,
        poamClosedItems: 1, // F1 fixed 08-20
      });
      const byId = (k: string) => doc.csv.rows.find((r) => r['poamId'] === `V-${f[k]?.id ?? ''}`);
      expect(byId('F4')).toMatchObject({
        assetIdentifier: 'db-1',
        pointOfContact: 'dba-team',
        originalDetectionDate: '6/1/2026',
        scheduledCompletionDate: '1/1/2027',
        operationalRequirement: 'Yes',
        originalRiskRating: 'Moderate',
        statusDate: '11/30/2026',
        controls: 'RA-5, SI-2',
      });
      expect(byId('F4')?.['deviationRationale']).toContain('pinned by the vendor appliance');
      expect(byId('F2')).toMatchObject({
        pointOfContact: 'web',
        scheduledCompletionDate: '9/26/2026',
        bod2201Tracking: 'Yes',
        bod2201DueDate: '10/1/2026',
        originalRiskRating: 'High',
        falsePositive: 'No',
        vendorDependency: 'No',
        serviceName: 'web',
      });
      expect(byId('F2')?.['comments']).toContain('OVERDUE since 2026-09-26');
      expect(byId('F5')).toMatchObject({ falsePositive: 'Yes' });
      expect(byId('F6')).toMatchObject({
        vendorDependency: 'Yes',
        vendorDependentProductName: 'bash',
        originalRiskRating: 'High',
      });
      expect(tableRows(doc, 'closedItems')).toEqual([
        {
          poamId: `V-${f['F1']?.id ?? ''}`,
          weaknessName: 'ADV-1: openssl',
          assetIdentifier: 'web-1',
          originalDetectionDate: '8/5/2026',
          completionDate: '8/20/2026',
        },
      ]);
      // F3 was prioritised by the default policy, not the server's (bod-26-04).
      expect(doc.warnings).toEqual([
        expect.stringContaining(
          '1 finding was prioritised by Patchgate default (default, 1) rather than CISA BOD 26-04',
        ),
      ]);
      expect(poamColumns).toHaveLength(31);
      // Through the real CSV renderer: the template's header line, one line per open item.
      const csv = (await renderReport(doc, 'csv')).bytes.toString('utf8').split('\r\n');
      expect(csv[0]).toBe(
        'POAM ID,Controls,Weakness Name,Weakness Description,Weakness Detector Source,Weakness Source Identifier,Asset Identifier,Point of Contact,Resources Required,Overall Remediation Plan,Original Detection Date,Scheduled Completion Date,Planned Milestones,Milestone Changes,Status Date,Vendor Dependency,Last Vendor Check-in Date,Vendor Dependent Product Name,Original Risk Rating,Adjusted Risk Rating,Risk Adjustment,False Positive,Operational Requirement,Deviation Rationale,Supporting Documents,Comments,Auto-Approve,Binding Operational Directive 22-01 tracking,Binding Operational Directive 22-01 Due Date,CVE,Service Name',
      );
      expect(csv).toHaveLength(1 + 5 + 1); // header, five items, the final CRLF
      expect(csv[1]?.startsWith(`V-${f['F3']?.id ?? ''},"RA-5, SI-2",ADV-3: libxml2,`)).toBe(true);
      const json = JSON.parse((await renderReport(doc, 'json')).bytes.toString('utf8')) as {
        figures: Record<string, unknown>;
        inputs: unknown;
      };
      expect(json.figures['poamOpenItems']).toBe(5);
      expect(json.inputs).toEqual(doc.inputs);
      // The page shows the template's main columns; the rows keep all of them.
      const page = doc.sections
        .flatMap((sec) => sec.blocks)
        .find((b) => b.kind === 'table' && b.name === 'openItems');
      expect(page?.kind === 'table' && page.columns.map((c) => c.label)).toEqual([
        'POAM ID',
        'Weakness Name',
        'Asset Identifier',
        'Point of Contact',
        'Original Detection Date',
        'Scheduled Completion Date',
        'Original Risk Rating',
        'Vendor Dependency',
        'False Positive',
        'Operational Requirement',
        'Comments',
      ]);
      expect(tableRows(doc, 'openItems')).toEqual(doc.csv.rows);
    },
  );

  it.skipIf(skip !== undefined)(
    'bod-26-04: timelines, due dates, met / overdue / forensic triage',
    async () => {
      const { ctx } = await world();
      const doc = await buildReport(ctx, { type: 'bod-26-04', period });
      const rows = tableRows(doc, 'findings');
      expect(
        rows.map((r) => [
          r['asset'],
          r['package'],
          r['timeline'],
          r['dueDate'],
          r['status'],
          r['basis'],
        ]),
      ).toEqual([
        ['db-1', 'libxml2', '60 days', '2027-01-20', 'due', 'computed'],
        ['db-1', 'zlib', 'next scheduled upgrade', null, 'exception', 'stored'],
        ['new-1', 'bash', '3 days + forensic triage', '2026-10-23', 'overdue', 'stored'],
        ['web-1', 'nginx', '14 days', '2026-09-26', 'overdue', 'stored'],
        ['web-1', 'openssl', '3 days', '2026-08-08', 'missed', 'stored'],
      ]);
      expect(rows.find((r) => r['package'] === 'libxml2')?.['rule']).toBe('missing-ssvc-not-kev');
      expect(rows.find((r) => r['package'] === 'bash')?.['forensicTriage']).toBe(true);
      expect(doc.figures).toMatchObject({
        bodFindings: 5,
        bodOpen: 3,
        bodOverdue: 2,
        bodDue: 1,
        bodNextUpgrade: 0,
        bodMet: 0,
        bodMissed: 1,
        bodExceptions: 1,
        bodForensicTriage: 1,
        bodKevOpen: 2,
        bodCompliance: 0,
      });
      expect(doc.figures['bodByTimeline']).toEqual([
        {
          timeline: '3 days + forensic triage',
          findings: 1,
          due: 0,
          overdue: 1,
          met: 0,
          missed: 0,
        },
        { timeline: '3 days', findings: 1, due: 0, overdue: 0, met: 0, missed: 1 },
        { timeline: '14 days', findings: 1, due: 0, overdue: 1, met: 0, missed: 0 },
        { timeline: '60 days', findings: 1, due: 1, overdue: 0, met: 0, missed: 0 },
        { timeline: 'next scheduled upgrade', findings: 1, due: 0, overdue: 0, met: 0, missed: 0 },
      ]);
      expect(doc.csv.columns.map((c) => c.key)).toEqual([
        'asset',
        'package',
        'advisory',
        'cves',
        'inKev',
        'exposure',
        'timeline',
        'rule',
        'basis',
        'detected',
        'dueDate',
        'fixed',
        'status',
        'forensicTriage',
      ]);
      expect(doc.warnings).toContainEqual(
        expect.stringContaining('1 of 5 timelines were computed'),
      );
    },
  );

  it.skipIf(skip !== undefined)(
    'pci-dss: 6.3.3 within one month of release, 11.3.1 quarterly scans',
    async () => {
      const { ctx } = await world();
      const doc = await buildReport(ctx, { type: 'pci-dss', period });
      expect(
        tableRows(doc, 'patches').map((r) => [
          r['package'],
          r['released'],
          r['deadline'],
          r['fixed'],
          r['status'],
        ]),
      ).toEqual([
        ['libxml2', '2026-11-20', '2026-12-20', null, 'open'],
        ['bash', '2026-10-18', '2026-11-18', null, 'no fix'],
        ['nginx', '2026-09-10', '2026-10-10', null, 'overdue'],
        ['openssl', '2026-08-01', '2026-09-01', '2026-08-20', 'met'],
      ]);
      expect(doc.figures).toMatchObject({
        pci633Counted: 2,
        pci633Met: 1,
        pci633Missed: 0,
        pci633Overdue: 1,
        pci633Open: 1,
        pci633NoFix: 1,
        pci633Compliance: 0.5,
        pci1131Assets: 2, // new-1 came after Q3 ended: no complete quarter asked of it
        pci1131Covered: 1, // web-1; db-1 has no scan in Q3
        pci1131Coverage: 0.5,
      });
      expect(doc.figures['pci1131Quarters']).toEqual([
        {
          quarter: '2026-Q3',
          from: '2026-07-01',
          to: '2026-09-30',
          complete: true,
          assets: 2,
          scanned: 1,
          coverage: 0.5,
        },
        {
          quarter: '2026-Q4',
          from: '2026-10-01',
          to: '2026-12-31',
          complete: false,
          assets: 3,
          scanned: 3,
          coverage: 1,
        },
      ]);
      expect(tableRows(doc, 'scans')).toEqual([
        {
          asset: 'db-1',
          '2026-Q3': null,
          '2026-Q4': '2026-10-05',
          quartersRequired: 1,
          quartersScanned: 0,
          covered: false,
        },
        {
          asset: 'new-1',
          '2026-Q3': null,
          '2026-Q4': '2026-10-20',
          quartersRequired: 0,
          quartersScanned: 0,
          covered: null,
        },
        {
          asset: 'web-1',
          '2026-Q3': '2026-08-10',
          '2026-Q4': '2026-11-02',
          quartersRequired: 1,
          quartersScanned: 1,
          covered: true,
        },
      ]);
      expect(doc.csv.columns.map((c) => c.label)).toEqual([
        'Asset',
        'Package',
        'Advisory',
        'Severity',
        'Released',
        'Deadline (one month)',
        'Detected',
        'Installed',
        'Status',
        'Exception',
      ]);
    },
  );

  it.skipIf(skip !== undefined)(
    'a rebuild from the recorded inputs gives the same figures after later data arrives',
    async () => {
      const { ctx, f, database: db } = await world();
      for (const type of ['fedramp-poam', 'bod-26-04', 'pci-dss'] as const) {
        const first = await buildReport(ctx, { type, period });
        // Later: nginx is fixed, a new critical finding appears, a new scan of db-1.
        const again = requestOfInputs(first.inputs);
        if (type === 'fedramp-poam') {
          await db.db
            .updateTable('findings')
            .set({ state: 'fixed', fixed_at: '2026-12-01T09:00:00.000Z' })
            .where('id', '=', f['F2']?.id ?? '')
            .execute();
          await db.db
            .insertInto('findings')
            .values(
              findingRow(assets.db1, {
                package_name: 'sudo',
                advisory_id: 'ADV-9',
                severity: 'critical',
                first_seen_at: '2026-12-01T08:00:00.000Z',
              }),
            )
            .execute();
        }
        const rebuilt = await buildReport(ctx, again);
        expect(rebuilt.figures).toEqual(first.figures);
        expect(rebuilt.csv).toEqual(first.csv);
        expect(rebuilt.inputs).toEqual(first.inputs);
      }
      // Without the recorded instant the report moves on (nginx fixed, sudo new).
      const now = await buildReport(ctx, { type: 'fedramp-poam', dataAsOf: NOW });
      expect(now.figures['poamOpenItems']).toBe(6); // 5 - nginx + sudo + late (F7, seen 12-01)
      expect(now.csv.rows.map((r) => r['weaknessName'])).toContain('ADV-9: sudo');
    },
  );

  it.skipIf(skip !== undefined)(
    'the scope narrows the rows, and an unknown one warns',
    async () => {
      const { ctx } = await world();
      const web = await buildReport(ctx, { type: 'fedramp-poam', scope: { team: 'web' } });
      // Now (12-01 12:00): bash on new-1; curl, late (F7, seen 12-01 10:00) and nginx on web-1.
      expect(web.csv.rows.map((r) => r['weaknessName'])).toEqual([
        'ADV-6: bash',
        'ADV-5: curl',
        'ADV-7: late',
        'ADV-2: nginx',
      ]);
      expect(web.inputs.scope).toEqual({ team: 'web' });
      const db = await buildReport(ctx, {
        type: 'pci-dss',
        period,
        scope: { assetGroup: 'db' },
      });
      expect(db.figures).toMatchObject({
        pci633Counted: 0,
        pci633Open: 1,
        pci1131Assets: 1,
        pci1131Covered: 0,
      });
      const none = await buildReport(ctx, { type: 'bod-26-04', scope: { team: 'payments' } });
      expect(none.figures['bodFindings']).toBe(0);
      expect(none.warnings).toEqual([
        expect.stringMatching(/No asset matches the scope \(team payments\).*teams data, web/),
      ]);
    },
  );

  it.skipIf(skip !== undefined)('warns when no finding covers the scope', async () => {
    database = await open();
    const ctx = testContext(database, testClock(NOW), { policy: 'bod-26-04' });
    const empty = await buildReport(ctx, { type: 'pci-dss', period });
    expect(empty.warnings).toContainEqual(
      expect.stringContaining('The inventory holds no asset yet'),
    );
    expect(empty.figures['pci633Compliance']).toBeNull();
    await seedWorld(database);
    const early = await buildReport(ctx, {
      type: 'fedramp-poam',
      dataAsOf: '2026-02-01T00:00:00.000Z',
    });
    expect(early.figures['poamOpenItems']).toBe(0);
    expect(early.warnings).toEqual([
      expect.stringContaining('No finding was detected by 2026-02-01'),
    ]);
  });

  it.skipIf(skip !== undefined)('bad requests are validation errors naming the field', async () => {
    database = await open();
    const ctx = testContext(database, testClock(NOW));
    const cases: [Parameters<typeof buildReport>[1], string][] = [
      [{ type: 'nope' as 'pci-dss' }, 'body.type'],
      [{ type: 'pci-dss' }, 'body.period'],
      [{ type: 'pci-dss', period: { from: '2026-13-01', to: '2026-11-30' } }, 'body.period.from'],
      [{ type: 'pci-dss', period: { from: '2026-11-30', to: '2026-11-01' } }, 'body.period'],
      [{ type: 'bod-26-04', dataAsOf: '2027-01-01T00:00:00Z' }, 'body.dataAsOf'],
      [{ type: 'bod-26-04', dataAsOf: 'yesterday' }, 'body.dataAsOf'],
      [{ type: 'change' }, 'body.change'],
    ];
    for (const [request, field] of cases) {
      const error = await buildReport(ctx, request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields?.[0]?.field).toBe(field);
    }
  });
});
