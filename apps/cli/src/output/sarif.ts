/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), as code
 * scanning services ingest it: one rule per advisory, one result per affected package,
 * located at the inventory file it came from.
 */
import type { ReportedFinding, ReportSeverity, ScanReport } from '../report.ts';
import { severityOf } from '../report.ts';

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

function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
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

export function renderSarif(report: ScanReport): string {
  const rules = new Map<string, object>();
  for (const f of report.findings) {
    if (rules.has(f.advisory.id)) continue;
    const severity = securitySeverity[severityOf(f)];
    rules.set(f.advisory.id, {
      id: f.advisory.id,
      name: f.advisory.id.replace(/[^A-Za-z0-9]/g, ''),
      shortDescription: { text: f.advisory.summary ?? f.advisory.id },
      helpUri: advisoryUrl(f.advisory.id),
      help: {
        text: `See ${advisoryUrl(f.advisory.id)}. Aliases: ${f.advisory.aliases.join(', ') || 'none'}.`,
      },
      properties: {
        tags: ['security', 'vulnerability', ...f.advisory.aliases],
        ...(severity !== undefined && { 'security-severity': severity }),
      },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
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
        results: report.findings.map((f) => ({
          ruleId: f.advisory.id,
          level: level[severityOf(f)],
          message: { text: message(f) },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: f.inventory.replace(/\\/g, '/') } },
              logicalLocations: [
                {
                  name: f.package.name,
                  fullyQualifiedName:
                    f.package.purl ??
                    `${f.package.ecosystem}/${f.package.name}@${f.package.version}`,
                  kind: 'package',
                },
              ],
            },
          ],
          partialFingerprints: {
            'patchgate/v1': `${f.package.ecosystem}/${f.package.name}/${f.package.version}/${f.advisory.id}`,
          },
          // SARIF §3.35: a finding VEX or the ignore file accepted is reported, but suppressed.
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
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
