/**
 * The metrics-based reports (patch-compliance, executive) on both databases, over the metrics
 * helper's hand-checked November 2026 organisation (metrics-test-support.ts): the figures, the
 * SLA tables, the overdue and exception lists, the CSV rows, and the weekly trend, each point
 * checked by hand from the organisation's comment.
 */
import { testClock } from '@patchgate/testing';
import type { ReportDocument } from '@patchgate/report';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../../test/app.ts';
import { testCaller } from '../../../../test/auth.ts';
import { testDatabases } from '../../../../test/databases.ts';
import type { App } from '../../../app.ts';
import type { Database } from '../../../db/database.ts';
import { backfillSnapshots, buildReport, requestOfInputs } from '../index.ts';
import { metricsWorld, novemberEnd, novemberPeriod } from '../metrics-test-support.ts';
import { trendBuckets } from './executive.ts';

function tableRows(doc: ReportDocument, name: string) {
  for (const section of doc.sections)
    for (const block of section.blocks)
      if (block.kind === 'table' && block.name === name) return block.rows;
  throw new Error(`no table ${name}`);
}

describe('trendBuckets', () => {
  it('cuts a period into Monday–Sunday weeks, or months when long', () => {
    expect(trendBuckets({ from: '2026-11-01', to: '2026-11-30' })).toEqual([
      { from: '2026-11-01', to: '2026-11-01' },
      { from: '2026-11-02', to: '2026-11-08' },
      { from: '2026-11-09', to: '2026-11-15' },
      { from: '2026-11-16', to: '2026-11-22' },
      { from: '2026-11-23', to: '2026-11-29' },
      { from: '2026-11-30', to: '2026-11-30' },
    ]);
    expect(trendBuckets({ from: '2026-01-15', to: '2026-12-31' }).map((b) => b.from)).toEqual([
      '2026-01-15',
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
      '2026-06-01',
      '2026-07-01',
      '2026-08-01',
      '2026-09-01',
      '2026-10-01',
      '2026-11-01',
      '2026-12-01',
    ]);
  });
});

describe.each(testDatabases())('metrics-based reports on $name', ({ open, skip }) => {
  let database: Database | undefined;
  let built: App | undefined;
  afterEach(async () => {
    await built?.app.close();
    await database?.close();
    built = undefined;
    database = undefined;
  });

  async function setup() {
    database = await open();
    const clock = testClock('2026-10-01T00:00:00.000Z');
    const app = await testApp(database, clock);
    built = app;
    const admin = await testCaller(database, ['admin']);
    const world = await metricsWorld(database, app.app, clock, admin);
    clock.set('2026-12-06T12:00:00.000Z');
    return { ctx: app.context, world };
  }

  it.skipIf(skip !== undefined)(
    'patch-compliance: figures, SLA tables, overdue and exception lists, CSV',
    async () => {
      const { ctx, world } = await setup();
      const doc = await buildReport(ctx, { type: 'patch-compliance', period: novemberPeriod });
      expect(doc.inputs).toEqual({
        type: 'patch-compliance',
        period: novemberPeriod,
        scope: {},
        policy: { id: 'default', name: 'Patchgate default' },
        dataAsOf: novemberEnd,
      });
      expect(doc.figures).toMatchObject({
        openFindings: 2, // f2, f5
        overdueFindings: 1, // f2 (due 15 Nov)
        kevOpen: 0,
        kevInternetFacing: 0,
        slaCompliance: 1 / 3, // f1 met; f2, f3 missed
        slaMet: 1,
        slaMissed: 2,
        mttrDays: 14, // f1 4 days, f3 24 days
        mttrP90Days: 24,
        timeToTriageDays: 1,
        patchLatencyDays: null,
        exceptionsActive: 1, // f4
        exceptionsExpiringWithin30Days: 0,
        exceptionsPending: 0,
      });
      expect(tableRows(doc, 'slaByTeam')).toEqual([
        { key: 'data', met: 0, missed: 1, counted: 1, ratio: 0 },
        { key: 'web', met: 1, missed: 1, counted: 2, ratio: 0.5 },
      ]);
      expect(tableRows(doc, 'slaByPriority').map((r) => [r['key'], r['counted']])).toEqual([
        ['P1', 1],
        ['P2', 1],
        ['P3', 1],
        ['P4', 0],
        ['P5', 0],
      ]);
      expect(tableRows(doc, 'overdue').map((r) => [r['id'], r['dueDate']])).toEqual([
        [world.findings['f2'], '2026-11-15'],
      ]);
      expect(tableRows(doc, 'exceptionsActive').map((r) => r['findingId'])).toEqual([
        world.findings['f4'],
      ]);
      expect(doc.csv.columns.map((c) => c.label)).toEqual([
        'Asset',
        'Package',
        'Advisory',
        'Priority',
        'Due',
        'First seen',
        'Team',
        'Environment',
        'KEV',
        'Fixed',
        'SLA met',
      ]);
      expect(
        doc.csv.rows
          .map((r) => [r['id'], r['slaMet']])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual(
        [
          [world.findings['f1'], true],
          [world.findings['f2'], false],
          [world.findings['f3'], false],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      expect(doc.warnings).toEqual([]);
      const rebuilt = await buildReport(ctx, requestOfInputs(doc.inputs));
      expect(rebuilt.figures).toEqual(doc.figures);

      const web = await buildReport(ctx, {
        type: 'patch-compliance',
        period: novemberPeriod,
        scope: { team: 'web' },
      });
      expect(web.figures).toMatchObject({ openFindings: 1, slaCompliance: 0.5, slaMet: 1 });
      const quiet = await buildReport(ctx, {
        type: 'patch-compliance',
        period: { from: '2026-10-05', to: '2026-10-10' },
      });
      expect(quiet.figures['slaCompliance']).toBeNull();
      expect(quiet.warnings).toEqual([expect.stringContaining('SLA compliance is not computed')]);
    },
  );

  it.skipIf(skip !== undefined)('executive: headline figures and a weekly trend', async () => {
    const { ctx } = await setup();
    const steps: [number, number][] = [];
    const doc = await buildReport(ctx, { type: 'executive', period: novemberPeriod }, (d, t) =>
      steps.push([d, t]),
    );
    expect(steps.at(-1)).toEqual([8, 8]); // findings, metrics, six weeks
    expect(doc.figures).toMatchObject({
      openFindings: 2,
      overdueFindings: 1,
      slaCompliance: 1 / 3,
      closedChanges: 3,
      changeSuccessRate: 0.5, // CHG-1 succeeded, CHG-2 rolled back (CHG-3 cancelled)
      rollbackRate: 0.5,
      emergencyShare: 1 / 3,
      windowOverruns: 1,
      assetsReportingRatio: 1 / 3,
      staleAgents: 1,
    });
    const trend = tableRows(doc, 'trend');
    expect(trend.map((t) => t['to'])).toEqual([
      '2026-11-01',
      '2026-11-08',
      '2026-11-15',
      '2026-11-22',
      '2026-11-29',
      '2026-11-30',
    ]);
    // Open at each week's end: f1, f3, f4, f5; then f1 fixed and f4 accepted, f2 seen; f3 fixed.
    expect(trend.map((t) => t['openFindings'])).toEqual([4, 3, 3, 3, 2, 2]);
    expect(trend.map((t) => t['overdueFindings'])).toEqual([0, 0, 0, 2, 1, 1]);
    expect(trend.map((t) => t['fixed'])).toEqual([0, 1, 0, 0, 1, 0]);
    // f1 met (fixed 5 Nov); f2 (due 15 Nov) is missed once its due day has passed, so in the
    // week of the 22nd with f3 (due 20 Nov); f3 fixed late on the 25th counts again that week.
    expect(trend.map((t) => t['slaCompliance'])).toEqual([null, 1, null, 0, 0, null]);
    expect(trend.map((t) => t['closedChanges'])).toEqual([0, 1, 1, 1, 0, 0]);
    expect(trend.map((t) => t['changeSuccessRate'])).toEqual([null, 1, 0, null, null, null]);
    const charts = doc.sections.flatMap((s) => s.blocks.filter((b) => b.kind === 'chart'));
    expect(charts.map((c) => (c.kind === 'chart' ? c.title : ''))).toEqual([
      'Open and overdue findings',
      'SLA compliance',
      'Changes by outcome',
      'Daily snapshots: open findings',
      'Daily snapshots: SLA compliance over the 30 days ending each day',
    ]);
    expect(doc.csv.rows).toEqual(trend);
    // No snapshot yet: the daily trend is empty and says how to fill it.
    expect(tableRows(doc, 'dailyTrend').every((d) => d['openFindings'] === null)).toBe(true);
    expect(doc.warnings).toEqual([expect.stringContaining('30 of 30 days have no snapshot')]);

    await backfillSnapshots(ctx, { from: '2026-11-01', to: '2026-11-30' });
    const filled = await buildReport(ctx, { type: 'executive', period: novemberPeriod });
    const daily = tableRows(filled, 'dailyTrend');
    expect(daily).toHaveLength(30);
    // Open at each day's end: f1, f3, f4, f5 on 1 Nov; f2 seen 2 Nov (5); f1 fixed 5 Nov (4);
    // f4 accepted 6 Nov (3); f3 fixed 25 Nov (2).
    expect(daily.map((d) => d['openFindings'])).toEqual([
      4,
      5,
      5,
      5,
      4,
      ...Array<number>(19).fill(3),
      ...Array<number>(6).fill(2),
    ]);
    expect(filled.warnings).toEqual([]);
    expect(filled.figures).toEqual(doc.figures);
  });
});
