/**
 * Test helpers of report runs and schedules: a finding row as reconcile writes it, a job runner
 * with the real report engine (the builders' buildReport, the documents' renderReport,
 * notifications' notifyReport and its deliver job with the reports' attachment loader), and a
 * drain that runs every due job.
 */
import { randomUUID } from 'node:crypto';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';

type FindingTable = DatabaseSchema['findings'];
import { JobRunner } from '../jobs/index.ts';
import { notifyReport, registerNotificationJobs } from '../notifications/index.ts';
import { buildReport } from './builders/build.ts';
import { registerReportJobs } from './jobs-handlers.ts';
import { renderReport } from './render.ts';
import { reportAttachment } from './runs.ts';

/** A finding row as reconcile writes it, with what the test says. */
export function findingRow(
  asset: { id: string; name: string; environment: string | null; exposure: string },
  over: Partial<FindingTable>,
): FindingTable {
  const id = randomUUID();
  return {
    id,
    asset_id: asset.id,
    ecosystem: 'Debian:12',
    package_name: 'openssl',
    package_version: '3.0.11-1~deb12u2',
    source_name: null,
    advisory_id: 'DSA-5000-1',
    advisory_summary: 'openssl: several vulnerabilities',
    aliases_json: '["CVE-2026-0001"]',
    match_json: '{}',
    state: 'open',
    first_seen_at: '2026-10-01T00:00:00.000Z',
    last_seen_at: '2026-10-01T00:00:00.000Z',
    snapshot_id: null,
    fixed_at: null,
    reopened_at: null,
    priority: 'P1',
    due_date: '2026-10-15',
    due_key: over.due_date ?? '2026-10-15',
    severity: 'critical',
    kev: 0,
    epss: null,
    epss_key: -1,
    decision_json: '{}',
    asset_name: asset.name,
    environment: asset.environment,
    criticality: 'high',
    exposure: asset.exposure,
    groups_json: '[]',
    tags_json: '[]',
    triage_state: null,
    triage_justification: null,
    triage_detail: null,
    triage_by: null,
    triage_at: null,
    exception_id: null,
    accepted_until: null,
    fixed_by_change_id: null,
    updated_at: '2026-10-01T00:00:00.000Z',
    ...over,
  };
}

/** A runner with the report jobs and the notification jobs, wired as main.ts wires them. */
export function reportRunner(ctx: ServerContext): JobRunner {
  const runner = new JobRunner(ctx, {
    workerId: 'test',
    concurrency: 1,
    leaseSeconds: 120,
    pollMs: 1000,
  });
  registerNotificationJobs(runner, ctx, {
    describeChange: () => Promise.resolve(undefined),
    loadAttachment: reportAttachment,
  });
  registerReportJobs(runner, ctx, {
    build: buildReport,
    render: renderReport,
    notify: notifyReport,
  });
  return runner;
}

/** Run every due job; the kinds and states, in order. */
export async function drain(runner: JobRunner): Promise<string[]> {
  const outcomes: string[] = [];
  for (let o = await runner.runOnce(); o; o = await runner.runOnce())
    outcomes.push(`${o.kind}:${o.state}${o.error === undefined ? '' : ` ${o.error}`}`);
  return outcomes;
}
