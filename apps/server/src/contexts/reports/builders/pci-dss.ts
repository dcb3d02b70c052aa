/**
 * PCI DSS 4.0.1 evidence for two requirements:
 * - 6.3.3 "critical or high-security patches/updates are installed within one month of
 *   release": each critical/high finding fixed in the period or still open at dataAsOf, with the
 *   release day (the advisory's publication, advisories context) and the one-month deadline
 *   (calendar month: 2026-01-31 → 2026-02-28, @patchgate/policy's addMonths). A finding whose
 *   advisory names no fixed version has no patch released yet: listed, not counted.
 * - 11.3.1 "internal vulnerability scans are performed at least once every three months": per
 *   asset in scope, the latest inventory scan in each calendar quarter the period touches (an
 *   asset's inventory is what its vulnerabilities are matched against). A quarter counts once it
 *   has ended by dataAsOf, for the assets that existed before its end.
 */
import { addMonths } from '@patchgate/policy';
import type { Cell, ReportDocument, ReportFigure } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import { advisoryDates } from '../../advisories/index.ts';
import { inventoryScans } from '../../inventory/index.ts';
import type { Progress, Resolved } from './common.ts';
import {
  asOfNote,
  col,
  dayOf,
  endOfDay,
  figureBlock,
  figureValues,
  inputsOf,
  ratio,
  scopeText,
  statusOfRatio,
  table,
} from './common.ts';
import { findingsData } from './findings-data.ts';

export interface Quarter {
  /** `2026-Q3` */
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/** The calendar quarters that [from, to] touches, in order. */
export function quartersOf(from: string, to: string): Quarter[] {
  const out: Quarter[] = [];
  let year = Number(from.slice(0, 4));
  let q = Math.floor((Number(from.slice(5, 7)) - 1) / 3);
  for (;;) {
    const startMonth = q * 3 + 1;
    const start = `${year}-${String(startMonth).padStart(2, '0')}-01`;
    if (start > to) break;
    const endMonth = startMonth + 2;
    const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
    out.push({
      name: `${year}-Q${q + 1}`,
      from: start,
      to: `${year}-${String(endMonth).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}`,
    });
    q += 1;
    if (q === 4) {
      q = 0;
      year += 1;
    }
  }
  return out;
}

export type PatchStatus = 'met' | 'missed' | 'open' | 'overdue' | 'no release date' | 'no fix';

/** 6.3.3: fixed by the deadline (met) or after (missed); open before it (open) or past (overdue). */
export function patchStatus(
  deadline: string | null,
  fixedDay: string | null,
  asOfDay: string,
  hasFix: boolean,
): PatchStatus {
  if (deadline === null) return 'no release date';
  if (fixedDay !== null) return fixedDay <= deadline ? 'met' : 'missed';
  if (!hasFix) return 'no fix';
  return deadline < asOfDay ? 'overdue' : 'open';
}

export async function buildPciDss(
  ctx: Pick<ServerContext, 'database' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  const period = resolved.period;
  if (period === null) throw new Error('pci-dss needs a period (resolveRequest checks it)');
  progress(0, 4, 'reading findings');
  const data = await findingsData(ctx, resolved, warnings);

  // 6.3.3
  const relevant = data.findings.filter((f) => {
    if (f.severity !== 'critical' && f.severity !== 'high') return false;
    const s = data.status.get(f.id);
    if (s === 'open' || s === 'accepted') return true;
    if (s !== 'fixed' || f.fixedAt === null) return false;
    const day = dayOf(f.fixedAt);
    return day >= period.from && day <= period.to;
  });
  progress(1, 4, 'reading advisory release dates');
  const dates = await advisoryDates(
    ctx.database,
    relevant.map((f) => f.advisoryId),
  );
  const patchRows: Record<string, Cell>[] = relevant.map((f) => {
    const published = dates.get(f.advisoryId)?.published ?? null;
    const released = published === null ? null : dayOf(published);
    const deadline = released === null ? null : addMonths(released, 1);
    const fixedDay =
      data.status.get(f.id) === 'fixed' && f.fixedAt !== null ? dayOf(f.fixedAt) : null;
    return {
      asset: f.assetName,
      package: f.packageName,
      advisory: f.advisoryId,
      severity: f.severity,
      released,
      deadline,
      detected: dayOf(f.firstSeenAt),
      fixed: fixedDay,
      status: patchStatus(deadline, fixedDay, resolved.asOfDay, f.fixedVersions.length > 0),
      exception: data.status.get(f.id) === 'accepted',
    };
  });
  const n = (status: PatchStatus) => patchRows.filter((r) => r['status'] === status).length;
  const met = n('met');
  const missed = n('missed');
  const overdue = n('overdue');
  const patchCompliance = ratio(met, met + missed + overdue);
  if (n('no release date') > 0)
    warnings.push(
      `${n('no release date')} critical/high findings have advisories without a publication date, so their one-month deadline is unknown and they are not counted. Sync the advisory sources again (OSV records carry "published").`,
    );

  // 11.3.1
  progress(2, 4, 'reading inventory scans');
  const quarters = quartersOf(period.from, period.to);
  const first = quarters[0];
  const scans =
    first === undefined
      ? []
      : await inventoryScans(
          ctx.database,
          `${first.from}T00:00:00.000Z`,
          resolved.dataAsOf < endOfDay(quarters.at(-1)?.to ?? first.to)
            ? resolved.dataAsOf
            : endOfDay(quarters.at(-1)?.to ?? first.to),
        );
  const scansOf = new Map<string, string[]>();
  for (const s of scans) scansOf.set(s.assetId, [...(scansOf.get(s.assetId) ?? []), s.takenAt]);
  const ended = (q: Quarter) => endOfDay(q.to) <= resolved.dataAsOf;
  const assets = data.inScopeAssets.filter((a) => a.createdAt <= resolved.dataAsOf);
  const scanRows: Record<string, Cell>[] = assets.map((a) => {
    const own = scansOf.get(a.id) ?? [];
    const row: Record<string, Cell> = { asset: a.name };
    let required = 0;
    let scanned = 0;
    for (const q of quarters) {
      const latest = own.filter((t) => dayOf(t) >= q.from && dayOf(t) <= q.to).at(-1) ?? null;
      row[q.name] = latest === null ? null : dayOf(latest);
      if (ended(q) && a.createdAt <= endOfDay(q.to)) {
        required += 1;
        if (latest !== null) scanned += 1;
      }
    }
    row['quartersRequired'] = required;
    row['quartersScanned'] = scanned;
    row['covered'] = required === 0 ? null : scanned === required;
    return row;
  });
  const perQuarter = quarters.map((q) => {
    const existing = assets.filter((a) => a.createdAt <= endOfDay(q.to));
    const scanned = existing.filter((a) => scanRows.find((r) => r['asset'] === a.name)?.[q.name]);
    return {
      quarter: q.name,
      from: q.from,
      to: q.to,
      complete: ended(q),
      assets: existing.length,
      scanned: scanned.length,
      coverage: ratio(scanned.length, existing.length),
    };
  });
  const counted = scanRows.filter((r) => r['covered'] !== null);
  const covered = counted.filter((r) => r['covered'] === true).length;
  const scanCoverage = ratio(covered, counted.length);
  if (quarters.every((q) => !ended(q)))
    warnings.push(
      `No quarter the period touches (${quarters.map((q) => q.name).join(', ')}) has ended by ${resolved.dataAsOf}: 11.3.1 coverage counts complete quarters only. Choose a period that includes a whole past quarter.`,
    );
  progress(3, 4, 'writing the report');

  const figures: ReportFigure[] = [
    {
      name: 'pci633Counted',
      label: '6.3.3 critical/high patches counted',
      value: met + missed + overdue,
      unit: 'count',
    },
    {
      name: 'pci633Met',
      label: 'Installed within one month of release',
      value: met,
      unit: 'count',
    },
    { name: 'pci633Missed', label: 'Installed later', value: missed, unit: 'count' },
    {
      name: 'pci633Overdue',
      label: 'Open past one month',
      value: overdue,
      unit: 'count',
      status: overdue === 0 ? 'good' : 'bad',
    },
    { name: 'pci633Open', label: 'Open, within the month', value: n('open'), unit: 'count' },
    { name: 'pci633NoFix', label: 'No patch released yet', value: n('no fix'), unit: 'count' },
    {
      name: 'pci633Compliance',
      label: '6.3.3 compliance',
      value: patchCompliance,
      unit: 'ratio',
      status: statusOfRatio(patchCompliance, 1),
      ...(patchCompliance === null && { note: 'no critical/high patch due or installed' }),
    },
    {
      name: 'pci1131Assets',
      label: '11.3.1 assets with a complete quarter',
      value: counted.length,
      unit: 'count',
    },
    {
      name: 'pci1131Covered',
      label: 'Scanned in every complete quarter',
      value: covered,
      unit: 'count',
    },
    {
      name: 'pci1131Coverage',
      label: '11.3.1 quarterly scan coverage',
      value: scanCoverage,
      unit: 'ratio',
      status: statusOfRatio(scanCoverage, 1),
      ...(scanCoverage === null && { note: 'no complete quarter, or no asset in scope' }),
    },
  ];
  const patchColumns = [
    col('asset', 'Asset'),
    col('package', 'Package'),
    col('advisory', 'Advisory'),
    col('severity', 'Severity'),
    col('released', 'Released'),
    col('deadline', 'Deadline (one month)'),
    col('detected', 'Detected'),
    col('fixed', 'Installed'),
    col('status', 'Status'),
    col('exception', 'Exception'),
  ];
  progress(4, 4, 'done');
  return {
    type: 'pci-dss',
    title: 'PCI DSS 4.0.1 evidence: 6.3.3 and 11.3.1',
    subtitle: `${resolved.period?.from ?? ''} to ${resolved.period?.to ?? ''} — ${scopeText(resolved.scope)}`,
    inputs: inputsOf(resolved, data.policy),
    generatedAt,
    figures: { ...figureValues(figures), pci1131Quarters: perQuarter },
    sections: [
      {
        title: 'Summary',
        blocks: [
          {
            kind: 'text',
            text: `PCI DSS v4.0.1 requirement 6.3.3 (critical and high security patches installed within one month of release) and 11.3.1 (internal vulnerability scans at least once every three months) for ${scopeText(resolved.scope)}, ${period.from} to ${period.to}, data as of ${resolved.dataAsOf}.`,
          },
          figureBlock(figures),
        ],
      },
      {
        title: '6.3.3 Critical and high patches within one month of release',
        blocks: [
          table(
            'patches',
            'Critical and high patches',
            patchColumns,
            patchRows,
            'No critical or high finding was open at data-as-of or fixed in the period.',
            `Release: the advisory's publication day; deadline: one calendar month later. ${asOfNote}`,
          ),
        ],
      },
      {
        title: '11.3.1 Quarterly scan coverage',
        blocks: [
          table(
            'quarters',
            'Per quarter',
            [
              col('quarter', 'Quarter'),
              col('from', 'From'),
              col('to', 'To'),
              col('complete', 'Ended'),
              col('assets', 'Assets', 'right'),
              col('scanned', 'Scanned', 'right'),
              col('coverage', 'Coverage', 'right'),
            ],
            perQuarter,
            'The period touches no quarter.',
          ),
          table(
            'scans',
            'Latest inventory scan per asset and quarter',
            [
              col('asset', 'Asset'),
              ...quarters.map((q) => col(q.name, q.name)),
              col('quartersRequired', 'Quarters required', 'right'),
              col('quartersScanned', 'Quarters scanned', 'right'),
              col('covered', 'Covered'),
            ],
            scanRows,
            'No asset in scope.',
            'A quarter is required of an asset that existed before it ended, once it has ended by data-as-of.',
          ),
        ],
      },
    ],
    csv: { columns: patchColumns, rows: patchRows },
    warnings,
  };
}
