/**
 * The findings a findings-based report reads (fedramp-poam, bod-26-04, pci-dss): the findings
 * detected by `dataAsOf` on the assets in scope, their exceptions, each one's status at
 * `dataAsOf`, the policy, and the warnings when nothing covers the scope or period.
 */
import type { ReportInputs } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import type { ReportException, ReportFinding } from '../../findings/index.ts';
import { exceptionsForReport, findingsForReport } from '../../findings/index.ts';
import type { ReportAsset } from '../../inventory/index.ts';
import type { Resolved, StatusAt } from './common.ts';
import { exceptionsByFinding, policyOf, scopeText, scopedAssets, statusAt } from './common.ts';

export interface FindingsData {
  readonly findings: readonly ReportFinding[];
  readonly exceptions: ReadonlyMap<string, readonly ReportException[]>;
  readonly status: ReadonlyMap<string, StatusAt>;
  readonly assets: ReadonlyMap<string, ReportAsset>;
  readonly inScopeAssets: readonly ReportAsset[];
  readonly policy: ReportInputs['policy'];
}

export async function findingsData(
  ctx: Pick<ServerContext, 'database' | 'config'>,
  resolved: Resolved,
  warnings: string[],
): Promise<FindingsData> {
  const scoped = await scopedAssets(ctx, resolved, warnings);
  const findings =
    scoped.ids !== undefined && scoped.ids.length === 0
      ? []
      : await findingsForReport(ctx.database, {
          detectedBy: resolved.dataAsOf,
          assetIds: scoped.ids,
        });
  const exceptions = exceptionsByFinding(
    await exceptionsForReport(
      ctx.database,
      findings.map((f) => f.id),
    ),
  );
  const status = new Map(
    findings.map((f) => [f.id, statusAt(f, exceptions.get(f.id) ?? [], resolved.dataAsOf)]),
  );
  if (findings.length === 0 && scoped.assets.length > 0) {
    warnings.push(
      `No finding was detected by ${resolved.dataAsOf} on the ${scoped.assets.length} asset${scoped.assets.length === 1 ? '' : 's'} in scope (${scopeText(resolved.scope)}). ` +
        'Either nothing is vulnerable, or nothing was matched yet: upload inventories (agent, SBOM or package list) and sync advisories, then generate the report again.',
    );
  } else if (scoped.all.length === 0) {
    warnings.push(
      'The inventory holds no asset yet: add assets and upload their inventories (agent, SBOM or package list), sync advisories, then generate the report again.',
    );
  }
  return {
    findings,
    exceptions,
    status,
    assets: new Map(scoped.all.map((a) => [a.id, a])),
    inScopeAssets: scoped.assets,
    policy: policyOf(ctx, findings, warnings),
  };
}
