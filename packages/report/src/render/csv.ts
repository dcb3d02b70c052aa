import type { ScanReport } from '../model.ts';
import { severityOf } from '../model.ts';

/** RFC 4180: quote a field when it holds a comma, a quote or a line break. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const header = [
  'priority',
  'due_date',
  'timeline',
  'inventory',
  'ecosystem',
  'package',
  'version',
  'source_package',
  'source_version',
  'advisory',
  'aliases',
  'severity',
  'fixed_versions',
  'affected_range',
  'triage',
  'suppressed',
  'policy_rule',
  'summary',
];

/** One row per finding, suppressed ones included and marked. */
export function renderCsv(report: ScanReport): string {
  const rows = report.findings.map((f) =>
    [
      f.prioritisation.priority,
      f.prioritisation.dueDate ?? '',
      f.prioritisation.timeline,
      f.inventory,
      f.package.ecosystem,
      f.package.name,
      f.package.version,
      f.package.sourceName ?? '',
      f.package.sourceVersion ?? '',
      f.advisory.id,
      f.advisory.aliases.join(' '),
      severityOf(f),
      f.fixedVersions.join(' '),
      f.match.range ?? (f.match.by === 'versions' ? 'listed version' : ''),
      f.triage?.state ?? '',
      f.triage?.suppressed === true ? 'yes' : 'no',
      `${report.policy.id}/${f.prioritisation.explanation.rule.id}`,
      f.advisory.summary ?? '',
    ]
      .map(field)
      .join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
