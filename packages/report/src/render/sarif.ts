/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), as code
 * scanning services ingest it (GitHub's "SARIF support for code scanning"): one rule per
 * advisory, one result per affected package, located at the inventory file it came from,
 * relative to a declared base (`%SRCROOT%`, §3.14.14), with a fingerprint per file, package
 * and advisory (§3.27.17) so that two files' results never merge.
 */
import type { ReportedFinding, ReportSeverity, ScanReport } from '../model.ts';
import { severityOf } from '../model.ts';
import type { RenderOptions } from './options.ts';

const level: Record<ReportSeverity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  none: 'note',
  unknown: 'warning',
};

/** GitHub code scanning reads `security-severity` as a CVSS-like number. */
const securitySeverity: Partial<Record<ReportSeverity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
};

/** The base every artifact URI is relative to (GitHub's convention for the checkout). */
export const sourceRootId = '%SRCROOT%';

function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** A path as a URI reference: each segment percent-encoded, `/` kept. */
function uriPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/g, ':'))
    .join('/');
}

/** `/a/./b/../c` → `/a/c`; backslashes read as slashes (a Windows path). */
function normalise(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(segment);
  }
  return (absolute ? '/' : '') + out.join('/');
}

function slashed(path: string): string {
  const forward = path.replace(/\\/g, '/');
  // `C:/work` → `/C:/work`, so that it reads as an absolute path and a file URI.
  return /^[A-Za-z]:\//.test(forward) ? `/${forward}` : forward;
}

/** The file URI of an absolute directory, with the trailing slash §3.14.14 asks for. */
function directoryUri(root: string): string {
  const path = normalise(slashed(root));
  return `file://${uriPath(path === '/' ? '' : path)}/`;
}

interface ArtifactLocation {
  readonly uri: string;
  readonly uriBaseId?: string;
}

/** Where an inventory is: relative to the source root when inside it, else a file URI. */
export function artifactLocation(source: string, sourceRoot: string | undefined): ArtifactLocation {
  const path = slashed(source);
  if (!path.startsWith('/')) {
    const relative = normalise(path);
    if (sourceRoot === undefined || !relative.startsWith('..'))
      return { uri: uriPath(relative), uriBaseId: sourceRootId };
    return { uri: `file://${uriPath(normalise(`${normalise(slashed(sourceRoot))}/${relative}`))}` };
  }
  const absolute = normalise(path);
  if (sourceRoot !== undefined) {
    const root = normalise(slashed(sourceRoot));
    const prefix = root === '/' ? '/' : `${root}/`;
    if (absolute.startsWith(prefix))
      return { uri: uriPath(absolute.slice(prefix.length)), uriBaseId: sourceRootId };
  }
  return { uri: `file://${uriPath(absolute)}` };
}

function message(f: ReportedFinding): string {
  const fix =
    f.fixedVersions.length > 0
      ? `fixed in ${f.fixedVersions.join(', ')}`
      : 'no fixed version published';
  const source =
    f.package.sourceName !== undefined ? ` (source package ${f.package.sourceName})` : '';
  return `${f.package.name} ${f.package.version}${source} is affected by ${f.advisory.id}${f.advisory.summary !== undefined ? `: ${f.advisory.summary}` : ''}; ${fix}.`;
}

function fullDescription(f: ReportedFinding): string {
  const aliases = f.advisory.aliases.filter((a) => a !== f.advisory.id);
  return (
    `${f.advisory.summary ?? `Vulnerability ${f.advisory.id}`}` +
    ` (${f.advisory.id}${aliases.length > 0 ? `, also known as ${[...new Set(aliases)].join(', ')}` : ''}),` +
    ` affecting ${f.match.ecosystem} package ${f.match.name}.`
  );
}

function rule(f: ReportedFinding): object {
  const severity = securitySeverity[severityOf(f)];
  const url = advisoryUrl(f.advisory.id);
  const aliases = [...new Set(f.advisory.aliases)];
  return {
    id: f.advisory.id,
    name: f.advisory.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: f.advisory.summary ?? f.advisory.id },
    fullDescription: { text: fullDescription(f) },
    helpUri: url,
    help: { text: `See ${url}. Aliases: ${aliases.join(', ') || 'none'}.` },
    properties: {
      // §3.8.2: tags are distinct; advisories repeat aliases (Go's vulndb does).
      tags: [...new Set(['security', 'vulnerability', ...aliases])],
      ...(severity !== undefined && { 'security-severity': severity }),
    },
  };
}

/** One fingerprint per inventory file, package (and its place in the file) and advisory. */
function fingerprint(f: ReportedFinding, location: ArtifactLocation): string {
  const where = f.package.location !== undefined ? `#${f.package.location}` : '';
  return `${location.uriBaseId ?? ''}${location.uri}|${f.package.ecosystem}/${f.package.name}${where}|${f.advisory.id}`;
}

export function renderSarif(
  report: ScanReport,
  options: RenderOptions = { explain: false },
): string {
  const rules = new Map<string, object>();
  for (const f of report.findings) if (!rules.has(f.advisory.id)) rules.set(f.advisory.id, rule(f));
  const results = report.findings.map((f) => {
    const location = artifactLocation(f.inventory, options.sourceRoot);
    return {
      ruleId: f.advisory.id,
      level: level[severityOf(f)],
      message: { text: message(f) },
      locations: [
        {
          physicalLocation: { artifactLocation: location },
          logicalLocations: [
            {
              name: f.package.name,
              fullyQualifiedName:
                f.package.purl ?? `${f.package.ecosystem}/${f.package.name}@${f.package.version}`,
              kind: 'package',
            },
          ],
        },
      ],
      partialFingerprints: { 'patchgateFinding/v1': fingerprint(f, location) },
      // §3.35: a finding VEX or the ignore file accepted is reported, but suppressed.
      ...(f.triage?.suppressed === true && {
        suppressions: [
          {
            kind: 'external',
            status: 'accepted',
            justification: `${f.triage.state}${f.triage.justification !== undefined ? ` (${f.triage.justification})` : ''}: ${f.triage.source}`,
          },
        ],
      }),
      properties: {
        ecosystem: f.package.ecosystem,
        installedVersion: f.package.version,
        fixedVersions: f.fixedVersions,
        severity: severityOf(f),
        priority: f.prioritisation.priority,
        dueDate: f.prioritisation.dueDate,
        timeline: f.prioritisation.timeline,
        explanation: f.prioritisation.explanation.text,
      },
    };
  });
  const sarif = {
    $schema:
      'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'patchgate',
            version: report.tool.version,
            informationUri: 'https://github.com/patchgate/patchgate',
            rules: [...rules.values()],
          },
        },
        ...(options.sourceRoot !== undefined && {
          originalUriBaseIds: { [sourceRootId]: { uri: directoryUri(options.sourceRoot) } },
        }),
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
