/**
 * The build information embedded in Go binaries, as printed by `go version -m <binary>`.
 * https://pkg.go.dev/cmd/go#hdr-Print_Go_version
 * https://pkg.go.dev/runtime/debug#BuildInfo (the fields behind each line)
 *
 * One header line per binary (`/usr/bin/kubectl: go1.23.8`), then tab-separated lines:
 * `path` (main package), `mod` (main module), `dep` (a module linked in), `=>` (the
 * replacement of the `dep` above it) and `build` settings. The toolchain version is the
 * standard library that was linked in: reported as module `stdlib`, as osv-scanner does.
 */
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';
import { goPurl, goVersionForOsv, isLocalPath } from '../go-mod/index.ts';

const ECOSYSTEM = 'Go';
/** `<file>: go1.22.5` or `<file>: go1.22.5 X:boringcrypto`, or a development toolchain. */
const HEADER = /^(.+): (devel )?go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)(?:[ -].*)?$/;

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not "go version -m" output` };
  const warnings: string[] = [];
  const packages: InstalledPackage[] = [];
  const at = (line: number): string => `${input.path}:${line}`;
  let binary: string | undefined;
  let binaries = 0;
  /** The last `dep` line, which a following `=>` line replaces. */
  let pending: { name: string; version: string; line: number } | undefined;

  const flush = (): void => {
    if (pending === undefined) return;
    const { name, version, line } = pending;
    pending = undefined;
    if (version === '(devel)' || version === '') {
      warnings.push(
        `${at(line)}: ${name} in ${binary ?? 'the binary'} was built from a local checkout (devel); skipped`,
      );
      return;
    }
    packages.push({
      ecosystem: ECOSYSTEM,
      name,
      version: goVersionForOsv(version),
      purl: goPurl(name, version),
      location: `${at(line)} (${binary ?? ''})`,
    });
  };

  input.text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (!raw.startsWith('\t')) {
      flush();
      const header = HEADER.exec(raw.trimEnd());
      if (!header) {
        binary = undefined;
        warnings.push(
          `${at(line)}: not a "<binary>: go<version>" header: "${raw.trim()}"; skipped`,
        );
        return;
      }
      const [, file = '', devel, goVersion = ''] = header;
      binary = file;
      binaries++;
      if (devel !== undefined) {
        warnings.push(
          `${at(line)}: ${file} was built with a development Go toolchain; its standard library version is unknown`,
        );
        return;
      }
      packages.push({
        ecosystem: ECOSYSTEM,
        name: 'stdlib',
        version: goVersion,
        location: `${at(line)} (${file})`,
      });
      return;
    }
    const fields = raw.slice(1).split('\t');
    const [kind = '', name = '', version = ''] = fields;
    if (binary === undefined) {
      warnings.push(`${at(line)}: "${kind}" line outside a binary's section; skipped`);
      return;
    }
    switch (kind) {
      case 'path':
      case 'build':
        return;
      case 'mod':
      case 'dep':
        flush();
        if (name === '') {
          warnings.push(`${at(line)}: "${kind}" line without a module path; skipped`);
          return;
        }
        // The main module (`mod`) is usually `(devel)` for a local build; a tagged one is real code.
        if (kind === 'mod' && version === '(devel)') return;
        pending = { name, version, line };
        return;
      case '=>': {
        if (pending === undefined) {
          warnings.push(`${at(line)}: "=>" replacement without a module above it; skipped`);
          return;
        }
        if (isLocalPath(name) || version === '(devel)' || version === '') {
          warnings.push(
            `${at(line)}: ${pending.name} ${pending.version} in ${binary} is replaced by the local directory ${name}; no module version to match, skipped`,
          );
          pending = undefined;
          return;
        }
        pending = { name, version, line };
        return;
      }
      default:
        warnings.push(`${at(line)}: unknown line kind "${kind}"; ignored`);
    }
  });
  flush();
  if (binaries === 0)
    return { ok: false, error: `${input.path}: no "<binary>: go<version>" header found` };
  return {
    ok: true,
    inventory: { format: 'go-buildinfo', source: input.path, packages, warnings },
  };
}

function detect(input: InventoryInput): number {
  const head = input.text.slice(0, 4096);
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  if (!HEADER.test(first.trimEnd())) return 0;
  return /\n\t(path|mod|dep|build)\t/.test(head) ? 0.95 : 0.5;
}

export const goBuildinfo: InventoryFormat = {
  id: 'go-buildinfo',
  displayName: 'Go binary build info (go version -m)',
  family: 'lockfile',
  mediaTypes: ['text/plain'],
  fileNames: [],
  specUrls: [
    'https://pkg.go.dev/cmd/go#hdr-Print_Go_version',
    'https://pkg.go.dev/runtime/debug#BuildInfo',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#golang',
  ],
  detect,
  parse,
};
