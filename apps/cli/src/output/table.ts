/** The human view: one block per inventory, a column table, then a summary line. */
import type { Finding } from '@patchgate/matcher';
import type { ScanReport } from '../report.ts';

function truncate(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}

function table(rows: string[][], maxWidths: number[]): string {
  const widths = maxWidths.map((max, column) =>
    Math.min(max, Math.max(...rows.map((row) => (row[column] ?? '').length))),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => truncate(cell, widths[column] ?? 20).padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function packageCell(f: Finding): string {
  return f.package.sourceName !== undefined
    ? `${f.package.name} (${f.package.sourceName})`
    : f.package.name;
}

export function renderTable(report: ScanReport): string {
  const out: string[] = [];
  for (const inventory of report.inventories) {
    const os = inventory.os?.ecosystem !== undefined ? `, ${inventory.os.ecosystem}` : '';
    out.push(
      `${inventory.source} (${inventory.format}${os}): ${inventory.packages} packages, ` +
        `${inventory.affectedPackages} affected, ${inventory.findings} findings`,
    );
    const findings = report.findings.filter((f) => f.inventory === inventory.source);
    if (findings.length === 0) {
      out.push('');
      continue;
    }
    const rows = [
      ['PACKAGE', 'VERSION', 'ADVISORY', 'ALIASES', 'SEVERITY', 'FIXED IN', 'SUMMARY'],
      ...findings.map((f) => [
        packageCell(f),
        f.package.version,
        f.advisory.id,
        f.advisory.aliases.slice(0, 2).join(' ') + (f.advisory.aliases.length > 2 ? ' …' : ''),
        f.advisory.severity,
        f.fixedVersions.join(' ') || '-',
        f.advisory.summary ?? '',
      ]),
    ];
    out.push(table(rows, [40, 32, 30, 34, 8, 32, 60]), '');
  }
  const s = report.summary;
  const levels = (['critical', 'high', 'medium', 'low', 'unknown'] as const)
    .filter((l) => s.bySeverity[l] > 0)
    .map((l) => `${s.bySeverity[l]} ${l}`);
  out.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'}${levels.length > 0 ? ` (${levels.join(', ')})` : ''} ` +
      `in ${report.inventories.length} inventor${report.inventories.length === 1 ? 'y' : 'ies'}, ` +
      `against ${report.advisories.records.toLocaleString('en')} advisories.`,
  );
  return out.join('\n') + '\n';
}
