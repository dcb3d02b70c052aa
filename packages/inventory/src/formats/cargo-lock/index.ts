/**
 * Cargo lockfiles (`Cargo.lock`), format versions 1 to 4.
 * https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html
 * https://docs.rs/cargo-lock/latest/cargo_lock/ (the format versions, documented by RustSec)
 *
 * No TOML parser is installed, so this reads only the subset Cargo writes: `#` comment lines,
 * a top-level `version = N`, `[[package]]` (and the pre-1.0 `[root]`) tables of
 * `key = "string"` / `key = [ "string", … ]` (arrays may span lines), and tables it skips
 * (`[metadata]` checksums of v1, `[[patch.unused]]`). Anything else is reported, not guessed.
 */
import { encodeUriPart } from '../../purl.ts';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'crates.io';
/** crates.io's index, git (v1–v3) and sparse (Cargo 1.68+) protocols. */
const CRATES_IO_SOURCES = new Set([
  'registry+https://github.com/rust-lang/crates.io-index',
  'sparse+https://index.crates.io/',
]);

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

type TomlValue = string | number | boolean | string[];

interface Table {
  readonly header: string;
  readonly line: number;
  readonly values: Map<string, TomlValue>;
}

/** Read one basic string starting at `text[0] === '"'`; returns the value and the rest. */
function readString(text: string): { value: string; rest: string } | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      const escapes: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', r: '\r' };
      value += escapes[next] ?? next;
      i++;
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += c;
    }
  }
  return undefined;
}

/** The values of an array body (`"a", "b",`) or undefined when it holds anything but strings. */
function readStringArray(body: string): string[] | undefined {
  const items: string[] = [];
  let rest = body.trim();
  while (rest !== '') {
    if (!rest.startsWith('"')) return undefined;
    const read = readString(rest);
    if (read === undefined) return undefined;
    items.push(read.value);
    rest = read.rest.trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
    else if (rest !== '') return undefined;
  }
  return items;
}

function readValue(raw: string): TomlValue | undefined {
  const text = raw.trim();
  if (text.startsWith('"')) {
    const read = readString(text);
    return read !== undefined && read.rest.trim() === '' ? read.value : undefined;
  }
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.startsWith('[') && text.endsWith(']')) return readStringArray(text.slice(1, -1));
  return undefined;
}

/** Split the text into tables; top-level keys go to a table with header "". */
function readTables(text: string, path: string, warnings: string[]): Table[] {
  const tables: Table[] = [{ header: '', line: 0, values: new Map() }];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^(\[\[?)\s*([A-Za-z0-9_.-]+)\s*(\]\]?)$/.exec(line);
    if (header) {
      tables.push({
        header: `${header[1] ?? ''}${header[2] ?? ''}${header[3] ?? ''}`,
        line: i + 1,
        values: new Map(),
      });
      continue;
    }
    const eq = line.indexOf('=');
    const current = tables[tables.length - 1];
    if (eq <= 0 || current === undefined) {
      warnings.push(`${path}:${i + 1}: cannot read "${line}"; skipped`);
      continue;
    }
    const key = line.slice(0, eq).trim();
    let valueText = line.slice(eq + 1).trim();
    const start = i + 1;
    // A multi-line array: gather lines up to the closing bracket.
    if (valueText.startsWith('[') && !valueText.endsWith(']')) {
      while (i + 1 < lines.length && !valueText.endsWith(']')) {
        i++;
        valueText += ` ${(lines[i] ?? '').trim()}`;
      }
    }
    if (current.header === '[metadata]') continue; // v1 checksums, keyed by quoted strings
    const value = readValue(valueText);
    if (value === undefined || !/^[A-Za-z0-9_-]+$/.test(key)) {
      warnings.push(`${path}:${start}: cannot read "${key} = ${valueText}"; skipped`);
      continue;
    }
    current.values.set(key, value);
  }
  return tables;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not a Cargo.lock` };
  const warnings: string[] = [];
  const tables = readTables(input.text, input.path, warnings);
  const packageTables = tables.filter((t) => t.header === '[[package]]' || t.header === '[root]');
  if (packageTables.length === 0) {
    return { ok: false, error: `${input.path}: not a Cargo.lock (no [[package]] table)` };
  }
  const version = tables[0]?.values.get('version');
  if (typeof version === 'number' && version > 4) {
    warnings.push(
      `${input.path}: Cargo.lock version ${version} is newer than 4; read as version 4`,
    );
  }
  for (const table of tables) {
    const known = ['', '[[package]]', '[root]', '[metadata]', '[[patch.unused]]'];
    if (!known.includes(table.header))
      warnings.push(`${input.path}:${table.line}: unknown table ${table.header}; ignored`);
  }
  const packages: InstalledPackage[] = [];
  for (const table of packageTables) {
    const name = table.values.get('name');
    const crateVersion = table.values.get('version');
    const at = `${input.path}:${table.line}`;
    if (typeof name !== 'string' || typeof crateVersion !== 'string') {
      warnings.push(`${at}: ${table.header} without a name and version; skipped`);
      continue;
    }
    const source = table.values.get('source');
    // No source: a workspace member or a path dependency, i.e. the project's own code.
    if (source === undefined || table.header === '[root]') continue;
    if (typeof source !== 'string' || !CRATES_IO_SOURCES.has(source)) {
      const kind =
        typeof source === 'string' && source.startsWith('git+') ? 'git' : 'another registry';
      warnings.push(
        `${at}: ${name} ${crateVersion} comes from ${kind} (${String(source)}), not crates.io; skipped`,
      );
      continue;
    }
    packages.push({
      ecosystem: ECOSYSTEM,
      name,
      version: crateVersion,
      purl: `pkg:cargo/${encodeUriPart(name)}@${encodeUriPart(crateVersion)}`,
      location: at,
    });
  }
  return { ok: true, inventory: { format: 'cargo-lock', source: input.path, packages, warnings } };
}

function detect(input: InventoryInput): number {
  const head = input.text.slice(0, 4096);
  const looksLikeLock =
    head.includes('# This file is automatically @generated by Cargo.') ||
    (/^\[\[package\]\]\s*$/m.test(head) &&
      /^name = "[^"]+"\s*$/m.test(head) &&
      /^version = "[^"]+"\s*$/m.test(head));
  if (baseName(input.path) === 'Cargo.lock') return looksLikeLock || head.trim() === '' ? 1 : 0.6;
  return looksLikeLock ? 0.9 : 0;
}

export const cargoLock: InventoryFormat = {
  id: 'cargo-lock',
  displayName: 'Cargo.lock (Rust)',
  family: 'lockfile',
  mediaTypes: ['text/plain', 'application/toml'],
  fileNames: ['Cargo.lock'],
  specUrls: [
    'https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html',
    'https://docs.rs/cargo-lock/latest/cargo_lock/',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#cargo',
  ],
  detect,
  parse,
};
