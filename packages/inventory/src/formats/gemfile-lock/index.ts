/**
 * Bundler lockfiles (`Gemfile.lock`, `gems.locked`).
 * https://bundler.io/guides/gemfile_lock.html (no formal grammar; Bundler's LockfileParser is the reference:
 * https://github.com/rubygems/rubygems/blob/master/bundler/lib/bundler/lockfile_parser.rb)
 *
 * Sections start at column 0. In source sections (GEM, GIT, PATH, PLUGIN SOURCE) a spec is
 * indented 4 spaces, `name (version)` or `name (version-platform)`; its dependency constraints
 * are indented 6 spaces and are not installed versions. DEPENDENCIES lists what the Gemfile
 * asks for (direct dependencies). BUNDLED WITH names the Bundler version.
 */
import { encodeUriPart } from '../../purl.ts';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'RubyGems';
const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PATH', 'PLUGIN SOURCE']);
const OTHER_SECTIONS = new Set([
  'PLATFORMS',
  'DEPENDENCIES',
  'RUBY VERSION',
  'BUNDLED WITH',
  'CHECKSUMS',
]);
/** `    name (version)` / `    name (version-platform)`; gem versions never contain `-`. */
const SPEC = /^ {4}([^ (]+) \(([^)-]+)(?:-([^)]+))?\)$/;

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export function gemPurl(name: string, version: string, platform?: string): string {
  const qualifier =
    platform === undefined || platform === 'ruby' ? '' : `?platform=${encodeUriPart(platform)}`;
  return `pkg:gem/${encodeUriPart(name)}@${encodeUriPart(version)}${qualifier}`;
}

interface Spec {
  readonly name: string;
  readonly version: string;
  readonly platform?: string;
  readonly section: string;
  readonly remote?: string;
  readonly line: number;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not a Gemfile.lock` };
  const warnings: string[] = [];
  const specs: Spec[] = [];
  const direct = new Set<string>();
  let section: string | undefined;
  let remote: string | undefined;
  let bundler: { version: string; line: number } | undefined;
  let sections = 0;
  const at = (line: number): string => `${input.path}:${line}`;

  input.text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const text = raw.trimEnd();
    if (text === '') return;
    if (!text.startsWith(' ')) {
      section = text;
      remote = undefined;
      if (SOURCE_SECTIONS.has(text) || OTHER_SECTIONS.has(text)) sections++;
      else warnings.push(`${at(line)}: unknown section "${text}"; ignored`);
      return;
    }
    if (section === undefined) return;
    if (SOURCE_SECTIONS.has(section)) {
      const option = /^ {2}([a-z_]+): ?(.*)$/.exec(text);
      if (option) {
        if (option[1] === 'remote') remote = option[2];
        return;
      }
      if (text === '  specs:' || text.startsWith('      ')) return; // dependency constraints
      const spec = SPEC.exec(text);
      if (!spec) {
        warnings.push(`${at(line)}: cannot read spec "${text.trim()}"; skipped`);
        return;
      }
      const [, name = '', version = '', platform] = spec;
      specs.push({
        name,
        version,
        section,
        line,
        ...(platform !== undefined && { platform }),
        ...(remote !== undefined && { remote }),
      });
    } else if (section === 'DEPENDENCIES') {
      // `  rails (~> 7.0)` or `  devise!` (the `!` marks a gem from a GIT/PATH source)
      const name = /^ {2}([^ (!]+)/.exec(text)?.[1];
      if (name !== undefined) direct.add(name);
    } else if (section === 'BUNDLED WITH') {
      bundler = { version: text.trim(), line };
    }
  });
  if (sections === 0)
    return {
      ok: false,
      error: `${input.path}: not a Gemfile.lock (no GEM, GIT, PATH or DEPENDENCIES section)`,
    };

  const packages: InstalledPackage[] = [];
  for (const spec of specs) {
    if (spec.section === 'PATH') continue; // a gem from a local folder: usually the project itself
    if (spec.section !== 'GEM') {
      warnings.push(
        `${at(spec.line)}: ${spec.name} ${spec.version} comes from ${spec.section} ${spec.remote ?? ''}, not a gem server; skipped`,
      );
      continue;
    }
    packages.push({
      ecosystem: ECOSYSTEM,
      name: spec.name,
      version: spec.version,
      purl: gemPurl(spec.name, spec.version, spec.platform),
      location: at(spec.line),
      direct: direct.has(spec.name),
      ...(spec.platform !== undefined && { arch: spec.platform }),
    });
  }
  if (bundler !== undefined) {
    // Bundler 2.3+ installs and runs the locked Bundler version, so it is part of what runs.
    packages.push({
      ecosystem: ECOSYSTEM,
      name: 'bundler',
      version: bundler.version,
      purl: gemPurl('bundler', bundler.version),
      location: at(bundler.line),
    });
  }
  return {
    ok: true,
    inventory: { format: 'gemfile-lock', source: input.path, packages, warnings },
  };
}

function detect(input: InventoryInput): number {
  const head = input.text.slice(0, 4096);
  const looksLikeLock = /^(GEM|GIT|PATH|PLUGIN SOURCE)\r?\n {2}(remote|revision|specs):/m.test(
    head,
  );
  const name = baseName(input.path);
  if (name === 'Gemfile.lock' || name === 'gems.locked')
    return looksLikeLock || head.trim() === '' ? 1 : 0.6;
  return looksLikeLock ? 0.9 : 0;
}

export const gemfileLock: InventoryFormat = {
  id: 'gemfile-lock',
  displayName: 'Bundler Gemfile.lock (Ruby)',
  family: 'lockfile',
  mediaTypes: ['text/plain'],
  fileNames: ['Gemfile.lock', 'gems.locked'],
  specUrls: [
    'https://bundler.io/guides/gemfile_lock.html',
    'https://github.com/rubygems/rubygems/blob/master/bundler/lib/bundler/lockfile_parser.rb',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#gem',
  ],
  detect,
  parse,
};
