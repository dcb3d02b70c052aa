import type { ScanReport } from '../report.ts';

/** RFC 4180: quote a field when it holds a comma, a quote or a line break. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const header = [
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
  'summary',
];

export function renderCsv(report: ScanReport): string {
  const rows = report.findings.map((f) =>
    [
      f.inventory,
      f.package.ecosystem,
      f.package.name,
      f.package.version,
      f.package.sourceName ?? '',
      f.package.sourceVersion ?? '',
      f.advisory.id,
      f.advisory.aliases.join(' '),
      f.advisory.severity,
      f.fixedVersions.join(' '),
      f.match.range ?? (f.match.by === 'versions' ? 'listed version' : ''),
      f.advisory.summary ?? '',
    ]
      .map(field)
      .join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
