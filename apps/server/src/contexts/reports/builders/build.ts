/**
 * `buildReport`: a report request → a `ReportDocument` (@patchgate/report), by the builder of
 * its type. The request is checked (ValidationError names the field) and completed into the
 * inputs the document records (period, scope, policy, dataAsOf), so building again with those
 * inputs gives the same figures. `progress` hears each step (a report run shows it).
 */
import type { ReportDocument } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import { buildBod2604 } from './bod-26-04.ts';
import { buildChangeReport } from './change.ts';
import type { Progress, ReportRequest, Resolved } from './common.ts';
import { nowOf, resolveRequest } from './common.ts';
import { buildFedrampPoam } from './fedramp-poam.ts';
import { buildPciDss } from './pci-dss.ts';
import { buildExecutive } from './executive.ts';
import { buildPatchCompliance } from './patch-compliance.ts';

export type { ReportRequest } from './common.ts';
export { requestOfInputs } from './common.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock' | 'config'>;

type Builder = (
  ctx: Ctx,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
) => Promise<ReportDocument>;

const builders: Record<ReportDocument['type'], Builder> = {
  'patch-compliance': buildPatchCompliance,
  executive: buildExecutive,
  change: buildChangeReport,
  'fedramp-poam': buildFedrampPoam,
  'bod-26-04': buildBod2604,
  'pci-dss': buildPciDss,
};

export async function buildReport(
  ctx: Ctx,
  request: ReportRequest,
  progress: Progress = () => undefined,
): Promise<ReportDocument> {
  const now = nowOf(ctx);
  const resolved = resolveRequest(now, request);
  return builders[resolved.type](ctx, resolved, now, progress);
}
