/**
 * pip requirements files and `pip freeze` output.
 * https://pip.pypa.io/en/stable/reference/requirements-file-format/
 * https://packaging.python.org/en/latest/specifications/dependency-specifiers/
 *
 * Only a pinned `name==version` (or `===version`) says what is installed. Everything else
 * (ranges, bare names, includes, editables, URLs, VCS and local paths) becomes a warning:
 * a version is never guessed.
 */
import { encodeUriPart } from '../../purl.ts';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'PyPI';

/** PEP 508 name, optional extras, then the rest of the requirement. */
const REQUIREMENT = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;
/** A pinned line as `pip freeze` writes it; used by detection only. */
const PINNED_LINE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*[^\s;,*]+/;

/** Options that say where to find packages, not which are installed (pip's global options). */
const GLOBAL_OPTIONS = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '--no-index',
  '-f',
  '--find-links',
  '--pre',
  '--trusted-host',
  '--no-binary',
  '--only-binary',
  '--prefer-binary',
  '--require-hashes',
  '--use-feature',
]);
const INCLUDE_OPTIONS = new Set(['-r', '--requirement', '-c', '--constraint']);
const EDITABLE_OPTIONS = new Set(['-e', '--editable']);

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** PEP 503 normalised name, as purl-spec's pypi type asks. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

/**
 * Join `\` continuations and drop comments. pip strips a `#` comment only at the start of
 * a line or after whitespace, so `#egg=` fragments inside URLs survive.
 */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let buffer = '';
  let start = 0;
  physical.forEach((raw, index) => {
    if (buffer === '') start = index + 1;
    const line = raw.replace(/(^|\s)#.*$/, '$1');
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
    buffer = '';
  });
  if (buffer.trim() !== '') out.push({ text: buffer.trim(), line: start });
  return out;
}

function looksLikeUrlOrPath(text: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ||
    /^(git|hg|svn|bzr)\+/i.test(text) ||
    /^(\.|\/|~|[A-Za-z]:\\)/.test(text) ||
    /\.(whl|zip|tar\.gz|tgz|tar\.bz2)$/i.test(text)
  );
}

function parse(input: InventoryInput): InventoryResult {
  const warnings: string[] = [];
  const packages: InstalledPackage[] = [];
  const at = (line: number): string => `${input.path}:${line}`;
  for (const { text, line } of logicalLines(input.text)) {
    const option = /^(--[a-z-]+|-[a-zA-Z])(?:[=\s]*(.*))?$/.exec(text);
    if (option) {
      const [, flag = '', value = ''] = option;
      if (INCLUDE_OPTIONS.has(flag)) {
        warnings.push(`${at(line)}: "${text}" includes another file; read that file separately`);
      } else if (EDITABLE_OPTIONS.has(flag)) {
        warnings.push(`${at(line)}: editable install "${value}" has no registry version; skipped`);
      } else if (!GLOBAL_OPTIONS.has(flag)) {
        warnings.push(`${at(line)}: unknown option "${flag}"; ignored`);
      }
      continue;
    }
    if (looksLikeUrlOrPath(text)) {
      warnings.push(
        `${at(line)}: "${text}" is a URL or local path, not a pinned registry version; skipped`,
      );
      continue;
    }
    // Per-requirement options (`--hash=…`, `--config-settings …`) follow the requirement.
    const requirement = text.split(/\s+--?[a-zA-Z]/)[0]?.trim() ?? '';
    const match = REQUIREMENT.exec(requirement);
    if (!match) {
      warnings.push(`${at(line)}: cannot read "${text}"; skipped`);
      continue;
    }
    const [, name = '', , rest = ''] = match;
    const semicolon = rest.indexOf(';');
    const specifier = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
    if (specifier.startsWith('@')) {
      warnings.push(
        `${at(line)}: ${name} is installed from "${specifier.slice(1).trim()}", not a registry version; skipped`,
      );
      continue;
    }
    const pinned = /^===?\s*([^\s,;]+)$/.exec(specifier.replace(/^\((.*)\)$/, '$1').trim());
    const version = pinned?.[1];
    if (version === undefined || version.includes('*')) {
      warnings.push(
        `${at(line)}: ${name} is not pinned to one version (${specifier === '' ? 'no version' : specifier}); skipped`,
      );
      continue;
    }
    packages.push({
      ecosystem: ECOSYSTEM,
      name,
      version,
      purl: `pkg:pypi/${encodeUriPart(normalisePypiName(name))}@${encodeUriPart(version)}`,
      location: at(line),
    });
  }
  // Environment markers are not evaluated (the target interpreter is unknown), so the same
  // project may be pinned more than once; all pins are kept and the ambiguity is said.
  const seen = new Map<string, InstalledPackage[]>();
  for (const pkg of packages) {
    const key = normalisePypiName(pkg.name);
    seen.set(key, [...(seen.get(key) ?? []), pkg]);
  }
  for (const pins of seen.values()) {
    if (pins.length < 2) continue;
    const versions = pins.map((pkg) => `${pkg.version} (${pkg.location ?? ''})`).join(', ');
    warnings.push(
      `${input.path}: ${pins[0]?.name ?? ''} is pinned ${pins.length} times: ${versions}; all are listed because environment markers are not evaluated`,
    );
  }
  return {
    ok: true,
    inventory: { format: 'pip-requirements', source: input.path, packages, warnings },
  };
}

function detect(input: InventoryInput): number {
  const name = baseName(input.path).toLowerCase();
  if (/requirements[^/\\]*\.txt$/.test(name)) return 0.9;
  const lines = logicalLines(input.text.slice(0, 4096)).slice(0, 40);
  if (lines.length === 0) return 0;
  const pinned = lines.filter((line) => PINNED_LINE.test(line.text)).length;
  return pinned * 2 > lines.length ? 0.6 : 0;
}

export const pipRequirements: InventoryFormat = {
  id: 'pip-requirements',
  displayName: 'pip requirements.txt / pip freeze',
  family: 'lockfile',
  mediaTypes: ['text/plain'],
  fileNames: ['requirements*.txt'],
  specUrls: [
    'https://pip.pypa.io/en/stable/reference/requirements-file-format/',
    'https://packaging.python.org/en/latest/specifications/dependency-specifiers/',
    'https://peps.python.org/pep-0503/#normalized-names',
  ],
  detect,
  parse,
};
