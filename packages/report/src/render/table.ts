/** The human view: one block per inventory, most urgent first, then a summary line. */
import type { ReportedFinding, ScanReport } from '../model.ts';
import { isSuppressed, severityOf } from '../model.ts';
import type { RenderOptions } from './options.ts';

function truncate(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}

function table(rows: string[][], maxWidths: number[]): string[] {
  const widths = maxWidths.map((max, column) =>
    Math.min(max, Math.max(...rows.map((row) => (row[column] ?? '').length))),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => truncate(cell, widths[column] ?? 20).padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function packageCell(f: ReportedFinding): string {
  return f.package.sourceName !== undefined
    ? `${f.package.name} (${f.package.sourceName})`
    : f.package.name;
}

function dueCell(f: ReportedFinding): string {
  return f.prioritisation.dueDate ?? f.prioritisation.timeline;
}

const columns = [
  'PRIORITY',
  'DUE',
  'PACKAGE',
  'VERSION',
  'ADVISORY',
  'SEVERITY',
  'FIXED IN',
  'SUMMARY',
];
const widths = [8, 22, 40, 28, 30, 8, 28, 56];

function row(f: ReportedFinding): string[] {
  return [
    f.prioritisation.priority,
    dueCell(f),
    packageCell(f),
    f.package.version,
    f.advisory.id,
    severityOf(f),
    f.fixedVersions.join(' ') || '-',
    f.advisory.summary ?? '',
  ];
}

function suppressedRow(f: ReportedFinding): string[] {
  return ['-', '-', ...row(f).slice(2)];
}

export function renderTable(
  report: ScanReport,
  options: RenderOptions = { explain: false },
): string {
  const out: string[] = [];
  for (const inventory of report.inventories) {
    const os = inventory.os?.ecosystem !== undefined ? `, ${inventory.os.ecosystem}` : '';
    const all = report.findings.filter((f) => f.inventory === inventory.source);
    const shown = all.filter((f) => !isSuppressed(f));
    const suppressed = all.filter(isSuppressed);
    out.push(
      `${inventory.source} (${inventory.format}${os}): ${inventory.packages} packages, ` +
        `${inventory.affectedPackages} affected, ${shown.length} findings` +
        (suppressed.length > 0
          ? ` (${suppressed.length} more suppressed by VEX or the ignore file, listed last)`
          : ''),
    );
    if (all.length === 0) {
      out.push('');
      continue;
    }
    // One table per inventory, suppressed findings last and flagged, so columns line up.
    const lines = table([columns, ...shown.map(row), ...suppressed.map(suppressedRow)], widths);
    out.push(lines[0] as string);
    shown.forEach((f, i) => {
      out.push(lines[i + 1] as string);
      if (f.triage !== undefined) out.push(`    triage: ${f.triage.state} (${f.triage.source})`);
      if (options.explain) out.push(`    why: ${f.prioritisation.explanation.text}`);
    });
    suppressed.forEach((f, i) => {
      out.push(lines[shown.length + i + 1] as string);
      out.push(
        `    suppressed: ${f.triage?.state ?? 'ignored'} (${f.triage?.source ?? 'triage'}); not counted, never fails the gate`,
      );
    });
    out.push('');
  }
  const s = report.summary;
  const priorities = (['P1', 'P2', 'P3', 'P4', 'P5'] as const)
    .filter((p) => s.byPriority[p] > 0)
    .map((p) => `${s.byPriority[p]} ${p}`);
  out.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'}${priorities.length > 0 ? ` (${priorities.join(', ')})` : ''}` +
      (s.suppressed > 0 ? `, ${s.suppressed} suppressed` : '') +
      ` in ${report.inventories.length} inventor${report.inventories.length === 1 ? 'y' : 'ies'}, ` +
      `against ${report.advisories.records.toLocaleString('en')} advisories` +
      (report.enrichment.cves > 0
        ? ` and facts on ${report.enrichment.cves.toLocaleString('en')} CVEs`
        : '') +
      `; policy ${report.policy.id} ${report.policy.version}, detected on ${report.detectedOn}.` +
      (s.coverageGaps > 0
        ? ` ${s.coverageGaps} coverage gap${s.coverageGaps === 1 ? '' : 's'}: packages that could not be matched at all (reasons and fixes on standard error).`
        : '') +
      (options.explain ? '' : ' Add --explain to see why each finding got its priority.'),
  );
  return out.join('\n') + '\n';
}
