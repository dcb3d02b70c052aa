/**
 * The human view: one block per inventory, most urgent first, then a summary line. Findings on
 * binary packages built from one source package (libssl3, libssl-dev, openssl) share a row per
 * advisory that names them; the other formats keep one entry per binary package.
 */
import type { Priority } from '@patchgate/policy';
import { priorities } from '@patchgate/policy';
import type { ReportedFinding, ScanReport } from '../model.ts';
import { isSuppressed, severityOf } from '../model.ts';
import type { RenderOptions } from './options.ts';

function truncate(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}

/**
 * Rows as aligned columns two spaces apart, each column as wide as its widest cell up to its
 * maximum (longer cells end in `…`); trailing spaces trimmed. Shared with the CLI's server lists.
 */
export function alignColumns(rows: string[][], maxWidths: readonly number[]): string[] {
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

/**
 * One table row: the findings of one inventory, source package (the binary's own name when it
 * names none) and advisory; `lead` is the most urgent of them (highest priority, then earliest
 * due date), whose decision the row shows.
 */
interface Row {
  readonly lead: ReportedFinding;
  readonly findings: readonly ReportedFinding[];
}

function sourceOf(f: ReportedFinding): string {
  return f.package.sourceName ?? f.package.name;
}

function moreUrgent(a: ReportedFinding, b: ReportedFinding): boolean {
  const rank = (p: Priority) => priorities.indexOf(p);
  const byPriority = rank(a.prioritisation.priority) - rank(b.prioritisation.priority);
  if (byPriority !== 0) return byPriority < 0;
  return (a.prioritisation.dueDate ?? '9999-12-31') < (b.prioritisation.dueDate ?? '9999-12-31');
}

/** Rows in the order of their first finding (the report lists findings most urgent first). */
function groupRows(findings: readonly ReportedFinding[]): Row[] {
  const rows = new Map<string, { lead: ReportedFinding; findings: ReportedFinding[] }>();
  for (const f of findings) {
    const key = [f.inventory, f.package.ecosystem, sourceOf(f), f.advisory.id].join('\0');
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { lead: f, findings: [f] });
    else {
      row.findings.push(f);
      if (moreUrgent(f, row.lead)) row.lead = f;
    }
  }
  return [...rows.values()];
}

const distinct = (values: readonly string[]): string[] => [...new Set(values)];

function binaries(row: Row): string[] {
  return distinct(row.findings.map((f) => f.package.name)).sort();
}

/** `openssl: libssl-dev, libssl3, openssl` for binaries of a source package; the name alone otherwise. */
function packageCell(row: Row): string {
  const names = binaries(row);
  const source = sourceOf(row.lead);
  if (names.length === 1 && names[0] === source) return source;
  return `${source}: ${names.join(', ')}`;
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
const widths = [8, 22, 56, 28, 30, 8, 28, 56];

function cells(row: Row): string[] {
  const f = row.lead;
  return [
    f.prioritisation.priority,
    dueCell(f),
    packageCell(row),
    distinct(row.findings.map((g) => g.package.version)).join(' '),
    f.advisory.id,
    severityOf(f),
    distinct(row.findings.flatMap((g) => g.fixedVersions)).join(' ') || '-',
    f.advisory.summary ?? '',
  ];
}

function suppressedCells(row: Row): string[] {
  return ['-', '-', ...cells(row).slice(2)];
}

/**
 * The row's triage, one line per distinct triage; when its binaries stand differently, each
 * line names the binaries it covers.
 */
function triageLines(row: Row, line: (f: ReportedFinding) => string | undefined): string[] {
  const byLine = new Map<string, string[]>();
  for (const f of row.findings) {
    const text = line(f);
    if (text === undefined) continue;
    byLine.set(text, [...(byLine.get(text) ?? []), f.package.name]);
  }
  const all = binaries(row);
  return [...byLine].map(([text, names]) => {
    const covered = distinct(names).sort();
    return covered.length === all.length ? text : `${text} [${covered.join(', ')}]`;
  });
}

/** `91 findings in 28 rows`; `58 findings` when every row is one finding. */
function counted(findings: number, rows: number): string {
  const text = `${findings} finding${findings === 1 ? '' : 's'}`;
  return rows === findings ? text : `${text} in ${rows} row${rows === 1 ? '' : 's'}`;
}

export function renderTable(
  report: ScanReport,
  options: RenderOptions = { explain: false },
): string {
  const out: string[] = [];
  let rowsShown = 0;
  for (const inventory of report.inventories) {
    const os = inventory.os?.ecosystem !== undefined ? `, ${inventory.os.ecosystem}` : '';
    const all = report.findings.filter((f) => f.inventory === inventory.source);
    const shownFindings = all.filter((f) => !isSuppressed(f));
    const suppressedFindings = all.filter(isSuppressed);
    const shown = groupRows(shownFindings);
    const suppressed = groupRows(suppressedFindings);
    rowsShown += shown.length;
    out.push(
      `${inventory.source} (${inventory.format}${os}): ${inventory.packages} packages, ` +
        `${inventory.affectedPackages} affected, ${counted(shownFindings.length, shown.length)}` +
        (suppressedFindings.length > 0
          ? ` (${suppressedFindings.length} more suppressed by VEX or the ignore file, listed last)`
          : ''),
    );
    if (all.length === 0) {
      out.push('');
      continue;
    }
    // One table per inventory, suppressed rows last and flagged, so columns line up.
    const lines = alignColumns(
      [columns, ...shown.map(cells), ...suppressed.map(suppressedCells)],
      widths,
    );
    out.push(lines[0] as string);
    shown.forEach((row, i) => {
      out.push(lines[i + 1] as string);
      for (const text of triageLines(row, (f) =>
        f.triage === undefined ? undefined : `${f.triage.state} (${f.triage.source})`,
      ))
        out.push(`    triage: ${text}`);
      if (options.explain) out.push(`    why: ${row.lead.prioritisation.explanation.text}`);
    });
    suppressed.forEach((row, i) => {
      out.push(lines[shown.length + i + 1] as string);
      for (const text of triageLines(
        row,
        (f) => `${f.triage?.state ?? 'ignored'} (${f.triage?.source ?? 'triage'})`,
      ))
        out.push(`    suppressed: ${text}; not counted, never fails the gate`);
    });
    out.push('');
  }
  const s = report.summary;
  const byPriority = (['P1', 'P2', 'P3', 'P4', 'P5'] as const)
    .filter((p) => s.byPriority[p] > 0)
    .map((p) => `${s.byPriority[p]} ${p}`);
  const rowsNote =
    rowsShown === s.findings
      ? ''
      : `${rowsShown} row${rowsShown === 1 ? '' : 's'} after grouping the binary packages of one source package`;
  const details = [byPriority.join(', '), rowsNote].filter((d) => d !== '').join('; ');
  out.push(
    `${s.findings} finding${s.findings === 1 ? '' : 's'}${details !== '' ? ` (${details})` : ''}` +
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
      (options.explain ? '' : ' Add --explain to see why each row got its priority.'),
  );
  return out.join('\n') + '\n';
}
