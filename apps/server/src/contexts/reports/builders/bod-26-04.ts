/**
 * CISA BOD 26-04 remediation status: each finding's timeline under the directive (3 days,
 * 3 days + forensic triage, 14 days, 60 days, next scheduled upgrade), its due date, and
 * whether it was met, is still due, or is overdue.
 *
 * The timeline is the directive's decision table (CERT/CC SSVC `cisa:DT_BOD2604`, transcribed
 * in @patchgate/policy's `bod2604Policy` with the missing-data rules of ADR 0006): when the
 * server prioritises by the `bod-26-04` policy, the finding's stored decision is used as it is;
 * otherwise the same policy decides here, from the same inputs (KEV and SSVC facts of the
 * advisories context, the asset's exposure, the detection day), and the row says so.
 * Directive: https://www.cisa.gov/news-events/directives/bod-26-04-prioritizing-security-updates-based-risk
 */
import type { Decision, PolicyFinding } from '@patchgate/policy';
import { bod2604Policy } from '@patchgate/policy';
import type { Cell, ReportDocument, ReportFigure } from '@patchgate/report';
import type { VulnerabilityFacts } from '@patchgate/sources';
import type { ServerContext } from '../../../context.ts';
import { factsForCves } from '../../advisories/index.ts';
import type { ReportFinding } from '../../findings/index.ts';
import type { Progress, Resolved } from './common.ts';
import {
  asOfNote,
  col,
  dayOf,
  figureBlock,
  figureValues,
  inputsOf,
  periodText,
  ratio,
  scopeText,
  statusOfRatio,
  table,
} from './common.ts';
import { findingsData } from './findings-data.ts';

export interface BodDecision {
  readonly timeline: string;
  readonly dueDate: string | null;
  readonly rule: string;
  /** `stored`: the finding's own decision (policy bod-26-04); `computed` here. */
  readonly basis: 'stored' | 'computed';
  readonly inKev: boolean;
}

/** The CVE ids a finding's facts are looked up by. */
export function cvesOfFinding(f: ReportFinding): string[] {
  return [
    ...new Set([...f.cves, ...f.aliases, f.advisoryId].filter((id) => id.startsWith('CVE-'))),
  ].sort();
}

export function bodDecisionOf(
  f: ReportFinding,
  facts: ReadonlyMap<string, VulnerabilityFacts>,
): BodDecision {
  if (f.decision?.policyId === bod2604Policy.id && f.decision.timeline !== null) {
    return {
      timeline: f.decision.timeline,
      dueDate: f.dueDate,
      rule: f.decision.ruleId ?? '',
      basis: 'stored',
      inKev: f.decision.inputs['inKevOrActive'] === true || f.kev,
    };
  }
  const finding: PolicyFinding = {
    advisoryId: f.advisoryId,
    aliases: f.aliases,
    ecosystem: f.ecosystem,
    packageName: f.packageName,
    installedVersion: f.packageVersion,
    fixedVersions: f.fixedVersions,
    statedSeverity: f.severity,
    advisoryCvss: [],
  };
  const decision: Decision = bod2604Policy.decide({
    finding,
    facts: cvesOfFinding(f).flatMap((cve) => {
      const fact = facts.get(cve);
      return fact === undefined ? [] : [fact];
    }),
    asset: { exposure: f.exposure as 'internet', tags: [] },
    detectedOn: dayOf(f.reopenedAt ?? f.firstSeenAt),
  });
  const inKev = decision.explanation.inputs.find((i) => i.name === 'inKevOrActive')?.value;
  return {
    timeline: decision.timeline,
    dueDate: decision.dueDate,
    rule: decision.explanation.rule.id,
    basis: 'computed',
    inKev: inKev === true || f.kev,
  };
}

export type BodStatus = 'met' | 'missed' | 'overdue' | 'due' | 'no date' | 'exception';

/** Fixed in the period: met or missed; open: due, overdue or no date (next upgrade). */
export function bodStatus(
  due: string | null,
  fixedDay: string | null,
  asOfDay: string,
  accepted: boolean,
): BodStatus {
  if (fixedDay !== null) return due === null || fixedDay <= due ? 'met' : 'missed';
  if (accepted) return 'exception';
  if (due === null) return 'no date';
  return due < asOfDay ? 'overdue' : 'due';
}

const timelineOrder = [
  '3 days + forensic triage',
  '3 days',
  '14 days',
  '60 days',
  'next scheduled upgrade',
];

export async function buildBod2604(
  ctx: Pick<ServerContext, 'database' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  progress(0, 3, 'reading findings');
  const data = await findingsData(ctx, resolved, warnings);
  const period = resolved.period;
  // Open (or accepted) at dataAsOf, and (with a period) fixed in it.
  const rowsOf = data.findings.filter((f) => {
    const s = data.status.get(f.id);
    if (s === 'open' || s === 'accepted') return true;
    if (s !== 'fixed' || period === null || f.fixedAt === null) return false;
    const day = dayOf(f.fixedAt);
    return day >= period.from && day <= period.to;
  });
  progress(1, 3, 'reading KEV and SSVC facts');
  const needFacts = rowsOf.filter((f) => f.decision?.policyId !== bod2604Policy.id);
  const facts = await factsForCves(ctx.database, new Set(needFacts.flatMap(cvesOfFinding)));
  progress(2, 3, 'applying the directive');
  const rows: Record<string, Cell>[] = rowsOf.map((f) => {
    const d = bodDecisionOf(f, facts);
    const s = data.status.get(f.id);
    const fixedDay = s === 'fixed' && f.fixedAt !== null ? dayOf(f.fixedAt) : null;
    const status = bodStatus(d.dueDate, fixedDay, resolved.asOfDay, s === 'accepted');
    return {
      asset: f.assetName,
      package: f.packageName,
      advisory: f.advisoryId,
      cves: cvesOfFinding(f).join(', '),
      inKev: d.inKev,
      exposure: f.exposure,
      timeline: d.timeline,
      rule: d.rule,
      basis: d.basis,
      detected: dayOf(f.firstSeenAt),
      dueDate: d.dueDate,
      fixed: fixedDay,
      status,
      forensicTriage: d.timeline.includes('forensic'),
    };
  });
  const count = (pred: (r: Record<string, Cell>) => boolean) => rows.filter(pred).length;
  const met = count((r) => r['status'] === 'met');
  const missed = count((r) => r['status'] === 'missed');
  const overdue = count((r) => r['status'] === 'overdue');
  const compliance = ratio(met, met + missed + overdue);
  const computed = count((r) => r['basis'] === 'computed');
  if (computed > 0)
    warnings.push(
      `${computed} of ${rows.length} timelines were computed for this report with the BOD 26-04 policy: the server prioritises by ${data.policy.name}, so those findings' own due dates differ. Set PATCHGATE_POLICY=bod-26-04 to track these dates everywhere.`,
    );
  const figures: ReportFigure[] = [
    { name: 'bodFindings', label: 'Findings covered', value: rows.length, unit: 'count' },
    {
      name: 'bodOpen',
      label: 'Open at data-as-of',
      value: count((r) => ['due', 'overdue', 'no date'].includes(String(r['status']))),
      unit: 'count',
    },
    {
      name: 'bodOverdue',
      label: 'Open past the directive’s due date',
      value: overdue,
      unit: 'count',
      status: overdue === 0 ? 'good' : 'bad',
    },
    {
      name: 'bodDue',
      label: 'Open, not yet due',
      value: count((r) => r['status'] === 'due'),
      unit: 'count',
    },
    {
      name: 'bodNextUpgrade',
      label: 'Fix at the next scheduled upgrade',
      value: count((r) => r['status'] === 'no date'),
      unit: 'count',
    },
    { name: 'bodMet', label: 'Fixed by the due date (period)', value: met, unit: 'count' },
    { name: 'bodMissed', label: 'Fixed late (period)', value: missed, unit: 'count' },
    {
      name: 'bodExceptions',
      label: 'Accepted by an exception',
      value: count((r) => r['status'] === 'exception'),
      unit: 'count',
    },
    {
      name: 'bodForensicTriage',
      label: 'Forensic triage required (open)',
      value: count(
        (r) => r['forensicTriage'] === true && r['status'] !== 'met' && r['status'] !== 'missed',
      ),
      unit: 'count',
      note: 'KEV, total technical impact and exposed or automatable: check the asset for compromise',
    },
    {
      name: 'bodKevOpen',
      label: 'Open and known exploited',
      value: count((r) => r['inKev'] === true && ['due', 'overdue'].includes(String(r['status']))),
      unit: 'count',
    },
    {
      name: 'bodCompliance',
      label: 'On time (met / met + missed + overdue)',
      value: compliance,
      unit: 'ratio',
      status: statusOfRatio(compliance, 0.9),
      ...(compliance === null && { note: 'nothing fixed in the period nor overdue' }),
    },
  ];
  const byTimeline = timelineOrder
    .map((timeline) => {
      const own = rows.filter((r) => r['timeline'] === timeline);
      return {
        timeline,
        findings: own.length,
        due: own.filter((r) => r['status'] === 'due').length,
        overdue: own.filter((r) => r['status'] === 'overdue').length,
        met: own.filter((r) => r['status'] === 'met').length,
        missed: own.filter((r) => r['status'] === 'missed').length,
      };
    })
    .filter((t) => t.findings > 0);
  const columns = [
    col('asset', 'Asset'),
    col('package', 'Package'),
    col('advisory', 'Advisory'),
    col('cves', 'CVE'),
    col('inKev', 'KEV / exploited'),
    col('exposure', 'Exposure'),
    col('timeline', 'Timeline'),
    col('rule', 'Rule'),
    col('basis', 'Basis'),
    col('detected', 'Detected'),
    col('dueDate', 'Due'),
    col('fixed', 'Fixed'),
    col('status', 'Status'),
    col('forensicTriage', 'Forensic triage'),
  ];
  progress(3, 3, 'done');
  return {
    type: 'bod-26-04',
    title: 'CISA BOD 26-04 remediation status',
    subtitle: `${scopeText(resolved.scope)} — as of ${resolved.dataAsOf}`,
    inputs: inputsOf(resolved, data.policy),
    generatedAt,
    figures: { ...figureValues(figures), bodByTimeline: byTimeline },
    sections: [
      {
        title: 'Summary',
        blocks: [
          {
            kind: 'text',
            text: `Remediation status under CISA BOD 26-04 (Prioritizing Security Updates Based on Risk) for ${scopeText(resolved.scope)}: findings open at ${resolved.dataAsOf}, and those fixed in the period (${periodText(resolved.period)}). Timelines from the directive's decision table (In KEV, exposure, automatable, technical impact; CERT/CC SSVC cisa:DT_BOD2604).`,
          },
          figureBlock(figures),
        ],
      },
      {
        title: 'By timeline',
        blocks: [
          table(
            'byTimeline',
            'By timeline',
            [
              col('timeline', 'Timeline'),
              col('findings', 'Findings', 'right'),
              col('due', 'Due', 'right'),
              col('overdue', 'Overdue', 'right'),
              col('met', 'Met', 'right'),
              col('missed', 'Missed', 'right'),
            ],
            byTimeline,
            'No finding in scope.',
          ),
        ],
      },
      {
        title: 'Findings',
        blocks: [
          table(
            'findings',
            'Findings and their BOD 26-04 status',
            columns,
            rows,
            'No finding open at this instant or fixed in the period.',
            asOfNote,
          ),
        ],
      },
    ],
    csv: { columns, rows },
    warnings,
  };
}
