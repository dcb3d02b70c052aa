/**
 * dpkg's database of installed packages, `/var/lib/dpkg/status`: RFC-822-like stanzas
 * separated by blank lines (deb-control(5), dpkg(1) "FILES", Debian Policy §5.1).
 */
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import { debianFamilyPackages, dpkgStatusVerdict } from '../distro-release.ts';
import type { DebianPackageRecord } from '../distro-release.ts';

/** One stanza: lower-cased field names (field names are case-insensitive) → value. */
interface Stanza {
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
}

/** Split control-file text into stanzas; continuation lines (leading space) are skipped. */
export function parseControlStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (fields.size > 0) stanzas.push({ line: start, fields });
      fields = new Map();
      return;
    }
    if (fields.size === 0) start = index + 1;
    if (line.startsWith(' ') || line.startsWith('\t')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      fields.set(`#malformed-${index + 1}`, line);
      return;
    }
    fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  });
  if (fields.size > 0) stanzas.push({ line: start, fields });
  return stanzas;
}

/** `Source: openssl (3.0.11-1~deb12u2)` → name and optional version (deb-control(5)). */
export function parseSourceField(value: string): { name: string; version?: string } {
  const match = /^(\S+)(?:\s*\(([^)]+)\))?/.exec(value.trim());
  if (!match?.[1]) return { name: value.trim() };
  return match[2] === undefined ? { name: match[1] } : { name: match[1], version: match[2].trim() };
}

function detect(input: InventoryInput): number {
  const byName = /(^|\/)var\/lib\/dpkg\/status$|dpkg[-_.]?status$/.test(input.path);
  const head = input.text.slice(0, 4096).replace(/\r/g, '');
  const first = head.split('\n').find((line) => line.trim() !== '') ?? '';
  if (!/^Package: \S+$/.test(first)) return byName && head.trim() === '' ? 0.5 : 0;
  const firstStanza = head.split(/\n\s*\n/)[0] ?? '';
  const hasStatus = /^Status: \S+ \S+ \S+$/m.test(firstStanza);
  const hasVersion = /^Version: /m.test(firstStanza);
  if (hasStatus && hasVersion) return byName ? 0.95 : 0.9;
  return 0.3;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '') return { ok: false, error: `${input.path}: the file is empty` };
  const stanzas = parseControlStanzas(input.text);
  const warnings: string[] = [];
  const records: DebianPackageRecord[] = [];
  let sawPackage = false;
  for (const stanza of stanzas) {
    const name = stanza.fields.get('package');
    const where = `line ${stanza.line}`;
    for (const [key, value] of stanza.fields) {
      if (key.startsWith('#malformed-'))
        warnings.push(`line ${key.slice(11)}: not a "Field: value" line: ${value}`);
    }
    if (name === undefined || name === '') {
      warnings.push(`${where}: stanza without a Package field, skipped`);
      continue;
    }
    sawPackage = true;
    const status = stanza.fields.get('status');
    const verdict = status === undefined ? 'malformed' : dpkgStatusVerdict(status);
    if (verdict === 'absent') continue;
    if (verdict === 'malformed') {
      warnings.push(`${where}: ${name}: missing or unreadable Status "${status ?? ''}", skipped`);
      continue;
    }
    const version = stanza.fields.get('version');
    if (version === undefined || version === '') {
      warnings.push(`${where}: ${name}: no Version, skipped`);
      continue;
    }
    if (verdict === 'partly-installed') {
      warnings.push(
        `${where}: ${name} is "${status ?? ''}" (files on disk, not fully configured); listed as installed`,
      );
    }
    const arch = stanza.fields.get('architecture');
    const sourceField = stanza.fields.get('source');
    const source =
      sourceField === undefined || sourceField === '' ? { name } : parseSourceField(sourceField);
    records.push({
      name,
      version,
      ...(arch !== undefined && arch !== '' && { arch }),
      sourceName: source.name,
      ...(source.version !== undefined && { sourceVersion: source.version }),
      location: where,
    });
  }
  if (!sawPackage)
    return {
      ok: false,
      error: `${input.path}: no "Package:" stanza found; not a dpkg status file`,
    };
  const result = debianFamilyPackages(records);
  return {
    ok: true,
    inventory: {
      format: dpkgStatus.id,
      source: input.path,
      os: result.os,
      packages: result.packages,
      warnings: [...warnings, ...result.warnings],
    },
  };
}

export const dpkgStatus: InventoryFormat = {
  id: 'dpkg-status',
  displayName: 'dpkg status database (/var/lib/dpkg/status)',
  family: 'package-list',
  mediaTypes: ['text/plain'],
  fileNames: ['var/lib/dpkg/status', 'dpkg-status'],
  specUrls: [
    'https://man7.org/linux/man-pages/man1/dpkg-query.1.html',
    'https://manpages.debian.org/bookworm/dpkg-dev/deb-control.5.en.html',
    'https://www.debian.org/doc/debian-policy/ch-controlfields.html',
  ],
  detect,
  parse,
};
