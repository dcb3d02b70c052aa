/**
 * Output of `dpkg-query -W` (dpkg-query(1) "--show"), tab-separated, in one of three shapes:
 *
 * - default format, 2 columns: `${binary:Package}\t${Version}\n`
 * - with status, 3 columns: `-f '${binary:Package}\t${Version}\t${Status}\n'`
 * - full, 6 columns (preferred; what the agent produces):
 *   `-f '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${Status}\n'`
 *
 * The shape is recognised from the column count and the look of the columns.
 */
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import { debianFamilyPackages, dpkgStatusVerdict } from '../distro-release.ts';
import type { DebianPackageRecord } from '../distro-release.ts';

/** The query format the agent runs; the readme documents it too. */
export const dpkgQueryFullFormat =
  '${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${Status}\\n';

type Shape = 'default' | 'status' | 'full';

const packageName = /^[a-z0-9][a-z0-9+.-]*(?::[a-z0-9-]+)?$/;
const debianVersion = /^(?:\d+:)?[0-9][A-Za-z0-9.+~:-]*$/;
const statusColumn = /^(?:unknown|install|hold|deinstall|purge) (?:ok|reinstreq) [a-z-]+$/;

function lineShape(columns: readonly string[]): Shape | undefined {
  const [name = '', version = ''] = columns;
  if (!packageName.test(name)) return undefined;
  if (version !== '' && !debianVersion.test(version)) return undefined;
  if (columns.length === 2) return 'default';
  if (columns.length === 3 && statusColumn.test(columns[2] ?? '')) return 'status';
  if (columns.length === 6 && statusColumn.test(columns[5] ?? '')) return 'full';
  return undefined;
}

function rows(text: string): { line: number; columns: string[] }[] {
  return text
    .split('\n')
    .map((raw, index) => ({ line: index + 1, raw: raw.replace(/\r$/, '') }))
    .filter(({ raw }) => raw.trim() !== '')
    .map(({ line, raw }) => ({ line, columns: raw.split('\t') }));
}

function detect(input: InventoryInput): number {
  const sample = rows(input.text.slice(0, 4096)).slice(0, 20);
  // The last sampled line may be cut by the 4 KiB window.
  const whole = sample.length > 1 ? sample.slice(0, -1) : sample;
  if (whole.length === 0) return 0;
  const shapes = whole.map((row) => lineShape(row.columns));
  const first = shapes[0];
  if (first === undefined || shapes.some((shape) => shape !== first)) return 0;
  // Two columns of name and version could be something else; status columns cannot.
  return first === 'default' ? 0.5 : 0.9;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '') return { ok: false, error: `${input.path}: the file is empty` };
  const all = rows(input.text);
  const shape = all
    .map((row) => lineShape(row.columns))
    .find((candidate) => candidate !== undefined);
  if (shape === undefined) {
    return {
      ok: false,
      error: `${input.path}: no line looks like dpkg-query -W output (expected tab-separated name, version[, …, status]; the supported -f format is '${dpkgQueryFullFormat}')`,
    };
  }
  const expectedColumns = shape === 'default' ? 2 : shape === 'status' ? 3 : 6;
  const warnings: string[] = [];
  const records: DebianPackageRecord[] = [];
  let withoutVersion = 0;
  for (const { line, columns } of all) {
    if (columns.length !== expectedColumns || lineShape(columns) !== shape) {
      warnings.push(
        `line ${line}: expected ${expectedColumns} tab-separated columns like the first line, skipped: ${columns.join(' ')}`,
      );
      continue;
    }
    const status = shape === 'status' ? columns[2] : shape === 'full' ? columns[5] : undefined;
    if (status !== undefined) {
      const verdict = dpkgStatusVerdict(status);
      if (verdict === 'absent') continue;
      if (verdict === 'partly-installed') {
        warnings.push(
          `line ${line}: ${columns[0] ?? ''} is "${status}" (files on disk, not fully configured); listed as installed`,
        );
      }
    }
    const [field0 = '', version = ''] = columns;
    if (version === '') {
      withoutVersion += 1;
      continue;
    }
    // ${binary:Package} carries `:arch` for Multi-Arch: same packages (libc6:amd64).
    const colon = field0.indexOf(':');
    const name = colon === -1 ? field0 : field0.slice(0, colon);
    const nameArch = colon === -1 ? undefined : field0.slice(colon + 1);
    const arch = shape === 'full' ? columns[2] : nameArch;
    // Only the full shape names the source package; the others cannot say.
    const sourceName = shape === 'full' && columns[3] ? columns[3] : undefined;
    const sourceVersion = shape === 'full' && columns[4] ? columns[4] : undefined;
    records.push({
      name,
      version,
      ...(arch !== undefined && arch !== '' && { arch }),
      ...(sourceName !== undefined && { sourceName }),
      ...(sourceVersion !== undefined && { sourceVersion }),
      location: `line ${line}`,
    });
  }
  if (withoutVersion > 0) {
    warnings.push(
      `${withoutVersion} package(s) listed without a version (known to dpkg but not installed), skipped`,
    );
  }
  if (shape === 'default') {
    warnings.push(
      `two-column dpkg-query output cannot tell installed packages from removed ones that kept their conffiles, nor give source packages; prefer -f '${dpkgQueryFullFormat}'`,
    );
  }
  const result = debianFamilyPackages(records);
  return {
    ok: true,
    inventory: {
      format: dpkgQuery.id,
      source: input.path,
      os: result.os,
      packages: result.packages,
      warnings: [...warnings, ...result.warnings],
    },
  };
}

export const dpkgQuery: InventoryFormat = {
  id: 'dpkg-query',
  displayName: 'dpkg-query -W output',
  family: 'package-list',
  mediaTypes: ['text/plain'],
  fileNames: [],
  specUrls: ['https://man7.org/linux/man-pages/man1/dpkg-query.1.html'],
  detect,
  parse,
};
