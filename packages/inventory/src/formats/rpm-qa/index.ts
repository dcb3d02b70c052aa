/**
 * Output of `rpm -qa` (rpm(8), "QUERY OPTIONS"; query formats:
 * https://rpm-software-management.github.io/rpm/manual/queryformat.html), in two shapes:
 *
 * - default, one `%{NVRA}` per line: `openssl-libs-1.1.1k-7.el8_6.x86_64`. There is no epoch
 *   in it, so every package gets `epochUnknown: true` (an unknown epoch is not epoch 0).
 *   A line written as `name-E:V-R.arch` (`%{NEVRA}`) gives its epoch.
 * - tab-separated (preferred; what the agent produces):
 *   `rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n'`
 *   where EPOCH is a number or `(none)` (no epoch, which rpm compares as 0: known).
 */
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
  OsRelease,
} from '../../types.ts';
import { buildPurl, purlDistro, rpmEcosystemBase, rpmRelease } from '../distro-release.ts';

/** The query format the agent runs; the readme documents it too. */
export const rpmQueryFormat =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/** Architectures rpm knows (rpmrc): the last dot-segment of an NVRA when it is one of these. */
const rpmArch =
  /^(?:noarch|x86_64(?:_v\d)?|i[3-6]86|athlon|geode|pentium[34]|amd64|ia32e|ia64|aarch64|arm\w*|ppc(?:64)?(?:le|p7|iseries|pseries)?|s390x?|riscv64|loongarch64|mips\w*|sparc\w*|alpha\w*|sh[34]?|src|nosrc)$/;

/** A package as rpm states it. */
export interface Nevra {
  readonly name: string;
  /** Undefined when the input does not state it (default `rpm -qa`). */
  readonly epoch?: string;
  readonly version: string;
  readonly release: string;
  readonly arch?: string;
}

/**
 * Split an `N-[E:]V-R[.A]` string from the right: the arch is the last dot-segment when
 * rpm knows it, then release and version are the last two dash-separated fields; names
 * may contain dashes (`python3-dnf-plugins-core`), versions and releases may not.
 */
export function parseNevra(text: string): Nevra | undefined {
  let rest = text.trim();
  let arch: string | undefined;
  const dot = rest.lastIndexOf('.');
  if (dot > 0 && rpmArch.test(rest.slice(dot + 1))) {
    arch = rest.slice(dot + 1);
    rest = rest.slice(0, dot);
  }
  const releaseDash = rest.lastIndexOf('-');
  if (releaseDash <= 0) return undefined;
  const release = rest.slice(releaseDash + 1);
  rest = rest.slice(0, releaseDash);
  const versionDash = rest.lastIndexOf('-');
  if (versionDash <= 0) return undefined;
  let version = rest.slice(versionDash + 1);
  const name = rest.slice(0, versionDash);
  let epoch: string | undefined;
  const epochMatch = /^(\d+):(.+)$/.exec(version);
  if (epochMatch?.[1] !== undefined && epochMatch[2] !== undefined) {
    epoch = epochMatch[1];
    version = epochMatch[2];
  }
  if (name === '' || version === '' || release === '' || /\s/.test(text.trim())) return undefined;
  return {
    name,
    ...(epoch !== undefined && { epoch }),
    version,
    release,
    ...(arch !== undefined && { arch }),
  };
}

/** `openssl-1.1.1k-7.el8_6.src.rpm` → its name and version-release. */
export function parseSourceRpm(
  value: string,
): { name: string; versionRelease: string } | undefined {
  const match = /^(.+)\.(?:no)?src\.rpm$/.exec(value.trim());
  const nevra = match?.[1] === undefined ? undefined : parseNevra(match[1]);
  return nevra === undefined
    ? undefined
    : { name: nevra.name, versionRelease: `${nevra.version}-${nevra.release}` };
}

type Shape = 'nevra' | 'tab';

const epochColumn = /^(?:\d+|\(none\))$/;

function lineShape(line: string): Shape | undefined {
  const columns = line.split('\t');
  if (columns.length === 6) {
    const [name = '', epoch = '', version = '', release = '', arch = '', source = ''] = columns;
    const ok =
      name !== '' &&
      epochColumn.test(epoch) &&
      version !== '' &&
      release !== '' &&
      arch !== '' &&
      (/\.(?:no)?src\.rpm$/.test(source) || source === '(none)');
    return ok ? 'tab' : undefined;
  }
  if (columns.length !== 1 || /\s/.test(line)) return undefined;
  const nevra = parseNevra(line);
  // Default output lines end with an arch; only imported keys (gpg-pubkey) have none.
  return nevra !== undefined && (nevra.arch !== undefined || nevra.name === 'gpg-pubkey')
    ? 'nevra'
    : undefined;
}

function lines(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((raw, index) => ({ line: index + 1, text: raw.replace(/\r$/, '') }))
    .filter((row) => row.text.trim() !== '');
}

function detect(input: InventoryInput): number {
  const sample = lines(input.text.slice(0, 4096)).slice(0, 20);
  const whole = sample.length > 1 ? sample.slice(0, -1) : sample;
  if (whole.length === 0) return 0;
  const shapes = whole.map((row) =>
    lineShape(row.text.trim() === row.text ? row.text : row.text.trim()),
  );
  const tab = shapes.filter((shape) => shape === 'tab').length;
  const nevra = shapes.filter((shape) => shape === 'nevra').length;
  if (tab === whole.length) return 0.9;
  if (nevra >= whole.length * 0.8) return 0.8;
  return 0;
}

const purlNamespaces: Readonly<Record<string, string>> = {
  almalinux: 'almalinux',
  rocky: 'rocky',
  rhel: 'redhat',
  centos: 'centos',
  fedora: 'fedora',
  mageia: 'mageia',
  photon: 'photon',
  'opensuse-leap': 'opensuse',
  sles: 'suse',
};

interface RpmRecord {
  readonly nevra: Nevra;
  readonly source?: { name: string; versionRelease: string };
  readonly line: number;
}

function toPackage(
  record: RpmRecord,
  os: OsRelease,
  ecosystem: string,
  epochKnown: boolean,
): InstalledPackage {
  const { nevra, source } = record;
  const versionRelease = `${nevra.version}-${nevra.release}`;
  const pkg: InstalledPackage = {
    ecosystem,
    name: nevra.name,
    version: nevra.epoch === undefined ? versionRelease : `${nevra.epoch}:${versionRelease}`,
  };
  if (source !== undefined) {
    pkg.sourceName = source.name;
    if (source.versionRelease !== versionRelease) pkg.sourceVersion = source.versionRelease;
  }
  pkg.purl = buildPurl('rpm', purlNamespaces[os.id], nevra.name, versionRelease, {
    arch: nevra.arch,
    distro: purlDistro(os),
    epoch: nevra.epoch,
  });
  if (nevra.arch !== undefined) pkg.arch = nevra.arch;
  if (!epochKnown && nevra.epoch === undefined) pkg.epochUnknown = true;
  pkg.location = `line ${record.line}`;
  return pkg;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '') return { ok: false, error: `${input.path}: the file is empty` };
  const all = lines(input.text);
  const shape = all
    .map((row) => lineShape(row.text.trim()))
    .find((candidate) => candidate !== undefined);
  if (shape === undefined) {
    return {
      ok: false,
      error: `${input.path}: no line looks like rpm -qa output (expected name-version-release.arch lines, or --qf '${rpmQueryFormat}')`,
    };
  }
  const warnings: string[] = [];
  const records: RpmRecord[] = [];
  for (const row of all) {
    const text = row.text.trim();
    if (lineShape(text) !== shape) {
      warnings.push(
        `line ${row.line}: not ${shape === 'tab' ? 'a 6-column --qf line' : 'a name-version-release.arch'}, skipped: ${text}`,
      );
      continue;
    }
    if (shape === 'nevra') {
      const nevra = parseNevra(text);
      // Imported signing keys are listed as gpg-pubkey packages; they are not software.
      if (nevra === undefined || nevra.name === 'gpg-pubkey') continue;
      records.push({ nevra, line: row.line });
      continue;
    }
    const [name = '', epoch = '', version = '', release = '', arch = '', sourceRpm = ''] =
      text.split('\t');
    if (name === 'gpg-pubkey') continue;
    const source = sourceRpm === '(none)' ? undefined : parseSourceRpm(sourceRpm);
    if (source === undefined && sourceRpm !== '(none)')
      warnings.push(`line ${row.line}: unreadable source rpm "${sourceRpm}"`);
    const nevra: Nevra = {
      name,
      ...(epoch !== '(none)' && { epoch }),
      version,
      release,
      ...(arch !== '(none)' && { arch }),
    };
    records.push({ nevra, line: row.line, ...(source !== undefined && { source }) });
  }
  const { os, warnings: releaseWarnings } = rpmRelease(
    records.map(({ nevra }) => ({
      name: nevra.name,
      version: nevra.version,
      release: nevra.release,
    })),
  );
  const ecosystem = os.ecosystem ?? rpmEcosystemBase(os);
  const packages = records.map((record) => toPackage(record, os, ecosystem, shape === 'tab'));
  return {
    ok: true,
    inventory: {
      format: rpmQa.id,
      source: input.path,
      os,
      packages,
      warnings: [...warnings, ...releaseWarnings],
    },
  };
}

export const rpmQa: InventoryFormat = {
  id: 'rpm-qa',
  displayName: 'rpm -qa output',
  family: 'package-list',
  mediaTypes: ['text/plain'],
  fileNames: [],
  specUrls: [
    'https://rpm-software-management.github.io/rpm/man/rpm.8.html',
    'https://rpm-software-management.github.io/rpm/manual/queryformat.html',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#rpm',
  ],
  detect,
  parse,
};
