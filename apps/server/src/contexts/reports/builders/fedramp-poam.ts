/**
 * FedRAMP Plan of Action and Milestones (POA&M) export: one row per open weakness, in the
 * columns of FedRAMP's POA&M template, so the CSV pastes into the template's "Open POA&M Items"
 * sheet.
 *
 * The columns, in the template's order (row 5 of FedRAMP-POAM-Template.xlsx,
 * https://www.fedramp.gov/assets/resources/templates/FedRAMP-POAM-Template.xlsx):
 * - A–AA "POAM ID" … "Auto-Approve": as GSA's fedramp-automation POA&M transformation lists
 *   the template's headers (its HTML XSLT "make-poam-table-head", with the template's guidance
 *   row: "Unique identifier for each POAM Item", "Applicable 800-53 Control(s)"…).
 * - AB "Binding Operational Directive 22-01 tracking", AC "Binding Operational Directive 22-01
 *   Due Date", AD "CVE": FedRAMP's "Update to the Plan of Actions and Milestones Template"
 *   (fedramp.gov blog, 2022-06-28; GSA/fedramp-gov _posts/2022-06-28-update-poam-template.md):
 *   "Column 'AC' … the due date of any BOD 22-01 vulnerability as the due date appears in the
 *   CISA Known Exploited Vulnerabilities Catalog"; "Column 'AD' … the CVE's associated".
 * - AE "Service Name": the template's latest column, as tools that read the template list it.
 * Found with the `search` tool (public repositories reading and writing the template).
 *
 * Mapping (a weakness is a finding not fixed at dataAsOf; VEX `resolved` counts as fixed):
 * Controls are RA-5 (vulnerability monitoring and scanning) and SI-2 (flaw remediation);
 * the risk rating is FedRAMP's Low/Moderate/High from the finding's severity (critical → High,
 * "Critical" is not a template value); an approved exception is an operational requirement with
 * its reason as the deviation rationale; a VEX false_positive is a false positive and
 * not_affected a risk adjustment to Low; no fixed version yet is a vendor dependency.
 */
import type { Cell, ReportDocument, ReportFigure, TableColumn } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import type { ReportException, ReportFinding } from '../../findings/index.ts';
import type { Progress, Resolved } from './common.ts';
import {
  acceptingException,
  asOfNote,
  col,
  dayOf,
  figureBlock,
  figureValues,
  inputsOf,
  periodText,
  scopeText,
  table,
} from './common.ts';
import { findingsData } from './findings-data.ts';

/** The template's columns, in order: `label` is the header exactly as the template spells it. */
export const poamColumns: readonly TableColumn[] = [
  col('poamId', 'POAM ID'),
  col('controls', 'Controls'),
  col('weaknessName', 'Weakness Name'),
  col('weaknessDescription', 'Weakness Description'),
  col('weaknessDetectorSource', 'Weakness Detector Source'),
  col('weaknessSourceIdentifier', 'Weakness Source Identifier'),
  col('assetIdentifier', 'Asset Identifier'),
  col('pointOfContact', 'Point of Contact'),
  col('resourcesRequired', 'Resources Required'),
  col('overallRemediationPlan', 'Overall Remediation Plan'),
  col('originalDetectionDate', 'Original Detection Date'),
  col('scheduledCompletionDate', 'Scheduled Completion Date'),
  col('plannedMilestones', 'Planned Milestones'),
  col('milestoneChanges', 'Milestone Changes'),
  col('statusDate', 'Status Date'),
  col('vendorDependency', 'Vendor Dependency'),
  col('lastVendorCheckInDate', 'Last Vendor Check-in Date'),
  col('vendorDependentProductName', 'Vendor Dependent Product Name'),
  col('originalRiskRating', 'Original Risk Rating'),
  col('adjustedRiskRating', 'Adjusted Risk Rating'),
  col('riskAdjustment', 'Risk Adjustment'),
  col('falsePositive', 'False Positive'),
  col('operationalRequirement', 'Operational Requirement'),
  col('deviationRationale', 'Deviation Rationale'),
  col('supportingDocuments', 'Supporting Documents'),
  col('comments', 'Comments'),
  col('autoApprove', 'Auto-Approve'),
  col('bod2201Tracking', 'Binding Operational Directive 22-01 tracking'),
  col('bod2201DueDate', 'Binding Operational Directive 22-01 Due Date'),
  col('cve', 'CVE'),
  col('serviceName', 'Service Name'),
];

/** The columns a page shows (31 do not fit across A4); the CSV has them all. */
export const poamPageColumns: readonly TableColumn[] = [
  'poamId',
  'weaknessName',
  'assetIdentifier',
  'pointOfContact',
  'originalDetectionDate',
  'scheduledCompletionDate',
  'originalRiskRating',
  'vendorDependency',
  'falsePositive',
  'operationalRequirement',
  'comments',
].map((key) => {
  const column = poamColumns.find((c) => c.key === key);
  if (column === undefined) throw new Error(`no POA&M column ${key}`);
  return column;
});

/** FedRAMP's rating words from a severity (the template has Low, Moderate, High). */
export function fedrampRating(severity: string): string {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'High';
    case 'medium':
      return 'Moderate';
    case 'low':
    case 'none':
      return 'Low';
    default:
      return 'Moderate';
  }
}

/** The template's date form (US month/day/year, as its example rows). */
export function poamDate(day: string | null): string {
  if (day === null) return '';
  const [y, m, d] = day.split('-');
  return `${Number(m)}/${Number(d)}/${y}`;
}

function cvesOf(f: ReportFinding): string[] {
  return [
    ...new Set([...f.cves, ...f.aliases, f.advisoryId].filter((id) => id.startsWith('CVE-'))),
  ].sort();
}

export function poamRow(
  f: ReportFinding,
  exceptions: readonly ReportException[],
  context: { asOf: string; asOfDay: string; team: string | null; status: string },
): Record<string, Cell> {
  const accepted = acceptingException(exceptions, context.asOf);
  const falsePositive = context.status === 'false_positive';
  const notAffected = context.status === 'not_affected';
  const vendorDependency = f.fixedVersions.length === 0;
  const rating = fedrampRating(f.severity);
  const overdue = f.dueDate !== null && f.dueDate < context.asOfDay && context.status === 'open';
  const kevDue = f.decision?.inputs['kevDueDate'];
  const comments = [
    `Priority ${f.priority}`,
    f.decision?.policyName != null && `policy ${f.decision.policyName}`,
    f.decision?.timeline != null && `timeline ${f.decision.timeline}`,
    f.dueDate === null && 'the policy sets no due date',
    overdue && `OVERDUE since ${f.dueDate}`,
    f.reopenedAt !== null && `reopened ${dayOf(f.reopenedAt)}`,
  ].filter((c): c is string => typeof c === 'string');
  return {
    poamId: `V-${f.id}`,
    controls: 'RA-5, SI-2',
    weaknessName: `${f.advisoryId}: ${f.packageName}`,
    weaknessDescription: [
      f.advisorySummary ?? `${f.advisoryId} affects ${f.packageName}`,
      `Installed ${f.ecosystem} ${f.packageName} ${f.packageVersion}`,
      f.fixedVersions.length > 0
        ? `fixed in ${f.fixedVersions.join(', ')}`
        : 'no fixed version published',
    ].join('. '),
    weaknessDetectorSource: `Patchgate (${f.ecosystem} inventory matched against OSV advisories)`,
    weaknessSourceIdentifier: [f.advisoryId, ...f.aliases.filter((a) => a !== f.advisoryId)].join(
      ', ',
    ),
    assetIdentifier: f.assetName,
    pointOfContact: accepted?.owner ?? context.team ?? '',
    resourcesRequired: 'None',
    overallRemediationPlan: vendorDependency
      ? `Wait for the vendor's fix of ${f.packageName}, then update it`
      : `Update ${f.packageName} from ${f.packageVersion} to ${f.fixedVersions[0] ?? ''} or later`,
    originalDetectionDate: poamDate(dayOf(f.firstSeenAt)),
    scheduledCompletionDate: poamDate(
      accepted !== undefined ? dayOf(accepted.expiresAt) : f.dueDate,
    ),
    plannedMilestones:
      f.dueDate === null
        ? ''
        : `(1) ${f.dueDate}: ${vendorDependency ? 'vendor fix applied' : `${f.packageName} updated`} and verified by a new inventory`,
    milestoneChanges: '',
    statusDate: poamDate(context.asOfDay),
    vendorDependency: vendorDependency ? 'Yes' : 'No',
    lastVendorCheckInDate: vendorDependency ? poamDate(context.asOfDay) : '',
    vendorDependentProductName: vendorDependency ? f.packageName : '',
    originalRiskRating: rating,
    adjustedRiskRating: notAffected ? 'Low' : '',
    riskAdjustment: notAffected ? 'Yes' : 'No',
    falsePositive: falsePositive ? 'Yes' : 'No',
    operationalRequirement: accepted !== undefined ? 'Yes' : 'No',
    deviationRationale:
      accepted !== undefined
        ? `Operational Requirement: ${accepted.reason} (exception ${accepted.id}, owner ${accepted.owner}, until ${dayOf(accepted.expiresAt)})`
        : falsePositive || notAffected
          ? `${falsePositive ? 'False Positive' : 'Risk Adjustment'}: ${[f.triageJustification, f.triageDetail].filter(Boolean).join(': ') || 'triaged (VEX)'}`
          : '',
    supportingDocuments: `Patchgate finding ${f.id}${f.decision?.ruleId != null ? `; decision rule ${f.decision.ruleId}` : ''}`,
    comments: comments.join('; '),
    autoApprove: 'No',
    bod2201Tracking: f.kev ? 'Yes' : 'No',
    bod2201DueDate: f.kev && typeof kevDue === 'string' ? poamDate(kevDue) : '',
    cve: cvesOf(f).join(', '),
    serviceName: [...f.groups].sort().join(', '),
  };
}

export async function buildFedrampPoam(
  ctx: Pick<ServerContext, 'database' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  progress(0, 2, 'reading findings');
  const data = await findingsData(ctx, resolved, warnings);
  progress(1, 2, 'writing POA&M rows');
  const open = data.findings.filter((f) => {
    const s = data.status.get(f.id);
    return s !== 'fixed' && s !== 'resolved';
  });
  const rows = open.map((f) =>
    poamRow(f, data.exceptions.get(f.id) ?? [], {
      asOf: resolved.dataAsOf,
      asOfDay: resolved.asOfDay,
      team: data.assets.get(f.assetId)?.team ?? null,
      status: data.status.get(f.id) ?? 'open',
    }),
  );
  const closed =
    resolved.period === null
      ? []
      : data.findings.filter(
          (f) =>
            data.status.get(f.id) === 'fixed' &&
            f.fixedAt !== null &&
            dayOf(f.fixedAt) >= (resolved.period?.from ?? '') &&
            dayOf(f.fixedAt) <= (resolved.period?.to ?? ''),
        );
  const count = (key: string) => rows.filter((r) => r[key] === 'Yes').length;
  const overdue = open.filter(
    (f) => data.status.get(f.id) === 'open' && f.dueDate !== null && f.dueDate < resolved.asOfDay,
  ).length;
  const figures: ReportFigure[] = [
    { name: 'poamOpenItems', label: 'Open POA&M items', value: rows.length, unit: 'count' },
    {
      name: 'poamOverdueItems',
      label: 'Past their scheduled completion date',
      value: overdue,
      unit: 'count',
      status: overdue === 0 ? 'good' : 'bad',
    },
    {
      name: 'poamHighRisk',
      label: 'High risk (original rating)',
      value: rows.filter((r) => r['originalRiskRating'] === 'High').length,
      unit: 'count',
    },
    {
      name: 'poamVendorDependencies',
      label: 'Vendor dependencies',
      value: count('vendorDependency'),
      unit: 'count',
    },
    {
      name: 'poamOperationalRequirements',
      label: 'Operational requirements (exceptions)',
      value: count('operationalRequirement'),
      unit: 'count',
    },
    {
      name: 'poamFalsePositives',
      label: 'False positives',
      value: count('falsePositive'),
      unit: 'count',
    },
    {
      name: 'poamRiskAdjustments',
      label: 'Risk adjustments (not affected)',
      value: count('riskAdjustment'),
      unit: 'count',
    },
    {
      name: 'poamClosedItems',
      label: 'Closed in the period',
      value: resolved.period === null ? null : closed.length,
      unit: 'count',
      ...(resolved.period === null && { note: 'no period given' }),
    },
  ];
  progress(2, 2, 'done');
  return {
    type: 'fedramp-poam',
    title: 'FedRAMP POA&M',
    subtitle: `Open weaknesses as of ${resolved.dataAsOf} — ${scopeText(resolved.scope)}`,
    inputs: inputsOf(resolved, data.policy),
    generatedAt,
    figures: figureValues(figures),
    sections: [
      {
        title: 'Summary',
        blocks: [
          {
            kind: 'text',
            text: `Plan of Action and Milestones for ${scopeText(resolved.scope)} as of ${resolved.dataAsOf} (period: ${periodText(resolved.period)}). One item per open weakness (a finding not fixed), in the columns of FedRAMP's POA&M template; FedRAMP Rev 5 expects High within 30 days, Moderate 90, Low 180 of detection. Scheduled completion dates are the due dates of ${data.policy.name}.`,
          },
          figureBlock(figures),
        ],
      },
      {
        title: 'Open POA&M items',
        blocks: [
          table(
            'openItems',
            'Open POA&M items',
            poamPageColumns,
            rows,
            'No open weakness in scope at this instant.',
            `The main columns of the template; the CSV (and the JSON form's rows) carry all ${poamColumns.length}. ${asOfNote}`,
          ),
        ],
      },
      {
        title: 'Closed POA&M items',
        blocks: [
          table(
            'closedItems',
            'Closed in the period',
            [
              col('poamId', 'POAM ID'),
              col('weaknessName', 'Weakness Name'),
              col('assetIdentifier', 'Asset Identifier'),
              col('originalDetectionDate', 'Original Detection Date'),
              col('completionDate', 'Completion Date'),
            ],
            closed.map((f) => ({
              poamId: `V-${f.id}`,
              weaknessName: `${f.advisoryId}: ${f.packageName}`,
              assetIdentifier: f.assetName,
              originalDetectionDate: poamDate(dayOf(f.firstSeenAt)),
              completionDate: poamDate(f.fixedAt === null ? null : dayOf(f.fixedAt)),
            })),
            resolved.period === null
              ? 'Give a period to list the items closed in it.'
              : 'No weakness was closed in the period.',
          ),
        ],
      },
    ],
    csv: { columns: poamColumns, rows },
    warnings,
  };
}
