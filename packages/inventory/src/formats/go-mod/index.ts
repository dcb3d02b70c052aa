/**
 * Go module files (`go.mod`).
 * https://go.dev/ref/mod#go-mod-file
 *
 * Reads `require` (block and single-line forms, `// indirect` → transitive), applies `replace`
 * directives, ignores `exclude`/`retract`, and reports the `go` directive as the standard
 * library (module `stdlib`), as osv-scanner does: Go advisories for the standard library are
 * published under that module name (https://go.dev/doc/security/vuln/database#schema).
 */
import { encodeUriPart } from '../../purl.ts';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'Go';

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** OSV's Go records write versions without the leading `v` (`1.2.3`), so we store them that way. */
export function goVersionForOsv(version: string): string {
  return version.startsWith('v') ? version.slice(1) : version;
}

/** `pkg:golang/github.com/foo/bar@v1.2.3` (purl-spec golang type; the version keeps its `v`). */
export function goPurl(modulePath: string, version: string): string {
  const path = modulePath.split('/').map(encodeUriPart).join('/');
  return `pkg:golang/${path}@${encodeUriPart(version)}`;
}

/** A replacement target that is a directory on disk rather than a module version. */
export function isLocalPath(path: string): boolean {
  return (
    path.startsWith('./') ||
    path.startsWith('../') ||
    path.startsWith('/') ||
    /^[A-Za-z]:[\\/]/.test(path)
  );
}

interface Require {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
  readonly line: number;
}

interface Replace {
  readonly oldPath: string;
  readonly oldVersion?: string;
  readonly newPath: string;
  readonly newVersion?: string;
  readonly line: number;
}

/** Split a go.mod line into tokens, honouring "quoted" and `raw` strings, dropping `//` comments. */
function tokens(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] ?? '';
    if (c === ' ' || c === '\t') {
      i++;
    } else if (line.startsWith('//', i)) {
      return { words, comment: line.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      const end = line.indexOf(c, i + 1);
      const stop = end === -1 ? line.length : end;
      words.push(line.slice(i + 1, stop));
      i = stop + 1;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ' ' && line[j] !== '\t' && !line.startsWith('//', j))
        j++;
      words.push(line.slice(i, j));
      i = j;
    }
  }
  return { words, comment: '' };
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not a go.mod` };
  const warnings: string[] = [];
  const requires: Require[] = [];
  const replaces: Replace[] = [];
  let module: string | undefined;
  let goVersion: { version: string; line: number } | undefined;
  let block: string | undefined;
  const at = (line: number): string => `${input.path}:${line}`;

  const handle = (verb: string, args: string[], comment: string, line: number): void => {
    switch (verb) {
      case 'module':
        module = args[0];
        return;
      case 'go':
        if (args[0] !== undefined) goVersion = { version: args[0], line };
        return;
      case 'require': {
        const [path, version] = args;
        if (path === undefined || version === undefined || args.length !== 2) {
          warnings.push(`${at(line)}: cannot read require "${args.join(' ')}"; skipped`);
          return;
        }
        // `// indirect` may be followed by more comment text (`// indirect; needed by x`).
        requires.push({ path, version, indirect: /^indirect\b/.test(comment), line });
        return;
      }
      case 'replace': {
        const arrow = args.indexOf('=>');
        const left = arrow === -1 ? [] : args.slice(0, arrow);
        const right = arrow === -1 ? [] : args.slice(arrow + 1);
        const [oldPath, oldVersion] = left;
        const [newPath, newVersion] = right;
        if (oldPath === undefined || newPath === undefined || left.length > 2 || right.length > 2) {
          warnings.push(`${at(line)}: cannot read replace "${args.join(' ')}"; skipped`);
          return;
        }
        replaces.push({
          oldPath,
          newPath,
          line,
          ...(oldVersion !== undefined && { oldVersion }),
          ...(newVersion !== undefined && { newVersion }),
        });
        return;
      }
      case 'exclude': // versions that may not be selected: nothing is installed by them
      case 'retract': // a statement about this module's own versions
      case 'toolchain': // the toolchain to build with; osv-scanner reports the `go` directive
      case 'godebug':
      case 'tool':
      case 'ignore':
        return;
      default:
        warnings.push(`${at(line)}: unknown directive "${verb}"; ignored`);
    }
  };

  input.text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const { words, comment } = tokens(raw);
    if (words.length === 0) return;
    if (block !== undefined) {
      if (words[0] === ')') {
        block = undefined;
        return;
      }
      handle(block, words, comment, line);
      return;
    }
    const [verb = '', ...args] = words;
    if (args.length === 1 && args[0] === '(') {
      block = verb;
      return;
    }
    handle(verb, args, comment, line);
  });
  if (block !== undefined) warnings.push(`${input.path}: "${block} (" block is not closed`);
  if (module === undefined) {
    if (requires.length === 0 && goVersion === undefined) {
      return {
        ok: false,
        error: `${input.path}: not a go.mod (no module, go or require directive)`,
      };
    }
    warnings.push(`${input.path}: no module directive`);
  }

  const packages: InstalledPackage[] = [];
  for (const req of requires) {
    // A replace naming a version applies to that version only; without one, to every version.
    const exact = replaces.find((r) => r.oldPath === req.path && r.oldVersion === req.version);
    const replace =
      exact ?? replaces.find((r) => r.oldPath === req.path && r.oldVersion === undefined);
    let path = req.path;
    let version = req.version;
    if (replace !== undefined) {
      if (replace.newVersion === undefined || isLocalPath(replace.newPath)) {
        warnings.push(
          `${at(req.line)}: ${req.path} ${req.version} is replaced by the local directory ${replace.newPath} (line ${replace.line}); no module version to match, skipped`,
        );
        continue;
      }
      path = replace.newPath;
      version = replace.newVersion;
    }
    packages.push({
      ecosystem: ECOSYSTEM,
      name: path,
      version: goVersionForOsv(version),
      purl: goPurl(path, version),
      location: at(req.line),
      direct: !req.indirect,
    });
  }
  if (goVersion !== undefined) {
    packages.push({
      ecosystem: ECOSYSTEM,
      name: 'stdlib',
      version: goVersion.version,
      location: at(goVersion.line),
    });
  }
  return { ok: true, inventory: { format: 'go-mod', source: input.path, packages, warnings } };
}

function detect(input: InventoryInput): number {
  const name = baseName(input.path);
  const head = input.text.slice(0, 4096);
  const hasModule = /^module\s+\S+/m.test(head);
  if (name === 'go.mod') return hasModule || head.trim() === '' ? 1 : 0.6;
  return hasModule && /^(go\s+\d|require\s)/m.test(head) ? 0.8 : 0;
}

export const goMod: InventoryFormat = {
  id: 'go-mod',
  displayName: 'Go module file (go.mod)',
  family: 'lockfile',
  mediaTypes: ['text/plain'],
  fileNames: ['go.mod'],
  specUrls: [
    'https://go.dev/ref/mod#go-mod-file',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#golang',
  ],
  detect,
  parse,
};
