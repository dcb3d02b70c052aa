/**
 * apt's own reports of available updates: `apt list --upgradable` and the simulation of
 * `apt-get -s upgrade` / `dist-upgrade` (the `Inst` lines). See ./readme.md for the line
 * formats, taken from apt's sources, and how a security archive is recognised.
 */
import type {
  AvailableUpdate,
  AvailableUpdates,
  AvailableUpdatesResult,
  UpdateOrigin,
} from '../types.ts';

/**
 * `name/archive[,archive…] candidate arch [upgradable from: installed]`
 * (apt-private/private-output.cc, ListSingleVersion).
 */
const listLine =
  /^(?<name>[^\s/]+)\/(?<archives>\S+)\s+(?<candidate>\S+)\s+(?<arch>\S+)\s+\[upgradable from: (?<installed>[^\]\s]+)\]$/;

/**
 * `Inst name [installed] (candidate Label:Version/Archive[, …] [arch])` with an optional
 * trailing `[]` or `[dependency …]` (apt-pkg/algorithms.cc, pkgSimulate::Install); a new
 * package has no `[installed]`.
 */
const instLine =
  /^Inst (?<name>\S+)(?: \[(?<installed>[^\]]+)\])? \((?<candidate>\S+) (?<origins>.*?) \[(?<arch>[^\]]+)\]\)(?: \[.*\])?$/;

/** `Label:Version/Archive`, `Label/Archive`, or a bare archive. */
const originToken = /^(?:(?<label>[^:/]+)(?::(?<version>[^/]+))?\/)?(?<archive>.+)$/;

/**
 * A security archive: Debian's `<codename>-security` and `stable-security`, Ubuntu's
 * `<series>-security`, Ubuntu Pro's `<series>-apps-security`/`-infra-security`, or a Release
 * Label saying so (`Debian-Security`).
 */
export function isSecurityOrigin(origin: UpdateOrigin): boolean {
  return /(^|-)security$/i.test(origin.archive) || /security/i.test(origin.label ?? '');
}

/** apt's progress and notice lines: not data, not a problem. */
const chatter =
  /^(Listing\.\.\.|WARNING: apt does not have a stable CLI interface|Reading package lists|Building dependency tree|Reading state information|Calculating upgrade|NOTE: This is only a simulation|\s*apt-get needs root privileges|\s*Keep also in mind|N: |\d+ upgraded, \d+ newly installed)/;

/** How likely the text is apt output of available updates (0–1), from its first lines. */
export function detectAptUpdates(text: string): number {
  const lines = text.split('\n', 200);
  if (lines.some((line) => listLine.test(line.trimEnd()))) return 0.95;
  if (lines.some((line) => line.startsWith('Inst ') && instLine.test(line.trimEnd()))) return 0.95;
  if (lines.some((line) => /^(Listing\.\.\.|Calculating upgrade\.\.\.)/.test(line))) return 0.6;
  return 0;
}

function update(
  name: string,
  installedVersion: string,
  candidateVersion: string,
  arch: string,
  origins: UpdateOrigin[],
): AvailableUpdate {
  return {
    name,
    arch,
    installedVersion,
    candidateVersion,
    origins,
    security: origins.some(isSecurityOrigin),
  };
}

function parseList(lines: readonly string[]): AvailableUpdates {
  const updates: AvailableUpdate[] = [];
  const warnings: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === '' || chatter.test(line)) return;
    const m = listLine.exec(line);
    if (m?.groups === undefined) {
      warnings.push(`line ${index + 1}: not an "apt list --upgradable" line`);
      return;
    }
    const g = m.groups as Record<'name' | 'archives' | 'candidate' | 'arch' | 'installed', string>;
    const origins = g.archives.split(',').map((archive) => ({ archive }));
    updates.push(update(g.name, g.installed, g.candidate, g.arch, origins));
  });
  return { format: 'apt-list-upgradable', updates, keptBack: [], warnings };
}

function parseOrigins(text: string): UpdateOrigin[] {
  return text.split(', ').map((token) => {
    const g = originToken.exec(token)?.groups ?? { archive: token };
    return {
      archive: g['archive'] ?? token,
      ...(g['label'] !== undefined && { label: g['label'] }),
      ...(g['version'] !== undefined && { version: g['version'] }),
    };
  });
}

function parseSimulation(lines: readonly string[]): AvailableUpdates {
  const updates: AvailableUpdate[] = [];
  const keptBack: string[] = [];
  const warnings: string[] = [];
  // The package lists apt prints before the actions: only "kept back" carries news.
  let block: 'kept-back' | 'other' | undefined;
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    if (/^The following packages have been kept back:$/.test(line))
      return void (block = 'kept-back');
    if (/^The following .*:$/.test(line)) return void (block = 'other');
    if (block !== undefined && line.startsWith('  ')) {
      if (block === 'kept-back') keptBack.push(...line.trim().split(/\s+/));
      return;
    }
    block = undefined;
    if (line === '' || chatter.test(line) || /^(Conf|Remv|Purg) /.test(line)) return;
    if (!line.startsWith('Inst ')) {
      warnings.push(`line ${index + 1}: not an "apt-get -s" line`);
      return;
    }
    const m = instLine.exec(line);
    if (m?.groups === undefined) {
      warnings.push(`line ${index + 1}: an "Inst" line in an unknown shape`);
      return;
    }
    const g = m.groups as Record<'name' | 'candidate' | 'origins' | 'arch', string> & {
      installed?: string;
    };
    // A package apt would newly install (dist-upgrade) is not an update of an installed one.
    if (g.installed === undefined) return;
    updates.push(update(g.name, g.installed, g.candidate, g.arch, parseOrigins(g.origins)));
  });
  return { format: 'apt-get-simulate', updates, keptBack, warnings };
}

/** Read apt output of available updates; which of the two commands wrote it is detected. */
export function parseAptUpdates(text: string): AvailableUpdatesResult {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const simulation = lines.some(
    (line) => line.startsWith('Inst ') || /^Calculating upgrade/.test(line),
  );
  const list = lines.some((line) => line.startsWith('Listing...') || listLine.test(line.trimEnd()));
  if (!simulation && !list) {
    if (lines.every((line) => line.trim() === '' || chatter.test(line)))
      return {
        ok: false,
        error:
          'no apt output found: send the output of "apt list --upgradable" or "apt-get -s upgrade"',
      };
    return {
      ok: false,
      error:
        'not apt output of available updates: expected "apt list --upgradable" or "apt-get -s upgrade" output',
    };
  }
  const value = simulation ? parseSimulation(lines) : parseList(lines);
  if (value.updates.length === 0 && value.keptBack.length === 0 && value.warnings.length > 0)
    return { ok: false, error: `no update could be read: ${value.warnings[0] ?? ''}` };
  return { ok: true, value };
}
