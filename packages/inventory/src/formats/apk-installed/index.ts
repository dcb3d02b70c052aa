/**
 * Alpine's installed-package database, `/lib/apk/db/installed`: one stanza per package,
 * blank-line separated, each line `<letter>:<value>` (apk-tools "Installed Database V2":
 * https://wiki.alpinelinux.org/wiki/Apk_spec). Read: `P:` name, `V:` version, `A:` arch,
 * `o:` origin (the aports source package that advisories name).
 */
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';
import { alpineRelease, buildPurl, purlDistro } from '../distro-release.ts';

interface ApkStanza {
  readonly line: number;
  readonly fields: Map<string, string>;
}

function stanzas(text: string): { stanzas: ApkStanza[]; malformed: number[] } {
  const result: ApkStanza[] = [];
  const malformed: number[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (fields.size > 0) result.push({ line: start, fields });
      fields = new Map();
      return;
    }
    if (fields.size === 0) start = index + 1;
    if (!/^[A-Za-z]:/.test(line)) {
      malformed.push(index + 1);
      return;
    }
    const key = line.slice(0, 1);
    // File lines (F:, R:, Z:, a:, M:) repeat; the package fields read here appear once.
    if (!fields.has(key)) fields.set(key, line.slice(2));
  });
  if (fields.size > 0) result.push({ line: start, fields });
  return { stanzas: result, malformed };
}

function detect(input: InventoryInput): number {
  const byName = /(^|\/)lib\/apk\/db\/installed$/.test(input.path);
  const head = input.text.slice(0, 4096).replace(/\r/g, '');
  if (head.trim() === '') return byName ? 0.5 : 0;
  const firstStanza = head.replace(/^\s+/, '').split(/\n\s*\n/)[0] ?? '';
  const stanzaLines = firstStanza.split('\n').filter((line) => line !== '');
  const allTagged = stanzaLines.every((line) => /^[A-Za-z]:/.test(line));
  const hasNameAndVersion = /^P:\S+$/m.test(firstStanza) && /^V:\S+$/m.test(firstStanza);
  if (allTagged && hasNameAndVersion) return byName ? 0.95 : 0.85;
  return byName ? 0.3 : 0;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '') return { ok: false, error: `${input.path}: the file is empty` };
  const read = stanzas(input.text);
  const warnings = read.malformed.map((line) => `line ${line}: not a "X:value" line, ignored`);
  const records: { name: string; version: string; arch?: string; origin?: string; line: number }[] =
    [];
  for (const stanza of read.stanzas) {
    const name = stanza.fields.get('P');
    const version = stanza.fields.get('V');
    if (name === undefined || name === '') {
      warnings.push(`line ${stanza.line}: stanza without a P: (package name), skipped`);
      continue;
    }
    if (version === undefined || version === '') {
      warnings.push(`line ${stanza.line}: ${name}: no V: (version), skipped`);
      continue;
    }
    const arch = stanza.fields.get('A');
    const origin = stanza.fields.get('o');
    records.push({
      name,
      version,
      line: stanza.line,
      ...(arch !== undefined && arch !== '' && { arch }),
      ...(origin !== undefined && origin !== '' && { origin }),
    });
  }
  if (records.length === 0 && read.stanzas.every((stanza) => !stanza.fields.has('P'))) {
    return {
      ok: false,
      error: `${input.path}: no "P:" package stanza found; not an apk installed database`,
    };
  }
  const { os, warnings: releaseWarnings } = alpineRelease(records);
  const ecosystem = os.ecosystem ?? 'Alpine';
  const distro = purlDistro(os);
  const packages = records.map((record): InstalledPackage => {
    const pkg: InstalledPackage = {
      ecosystem,
      name: record.name,
      version: record.version,
      // Packages built from an aport of the same name have o: equal to P:; none at all
      // means the package is its own origin.
      sourceName: record.origin ?? record.name,
      purl: buildPurl('apk', 'alpine', record.name.toLowerCase(), record.version, {
        arch: record.arch,
        distro,
      }),
      location: `line ${record.line}`,
    };
    if (record.arch !== undefined) pkg.arch = record.arch;
    return pkg;
  });
  return {
    ok: true,
    inventory: {
      format: apkInstalled.id,
      source: input.path,
      os,
      packages,
      warnings: [...warnings, ...releaseWarnings],
    },
  };
}

export const apkInstalled: InventoryFormat = {
  id: 'apk-installed',
  displayName: 'Alpine apk installed database (/lib/apk/db/installed)',
  family: 'package-list',
  mediaTypes: ['text/plain'],
  fileNames: ['lib/apk/db/installed'],
  specUrls: [
    'https://wiki.alpinelinux.org/wiki/Apk_spec',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#apk',
  ],
  detect,
  parse,
};
