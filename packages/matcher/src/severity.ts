/**
 * The severity an advisory states in words. Scores computed from CVSS vectors come with
 * prioritisation (issue #3); here we read only what the record itself says, and say where.
 */
import type { OsvAffected, OsvRecord } from '@patchgate/osv';

export const severityLevels = ['unknown', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityLevel = (typeof severityLevels)[number];

export interface StatedSeverity {
  readonly level: SeverityLevel;
  /** Where the level came from, e.g. `database_specific.severity "MODERATE"`. */
  readonly source?: string;
}

const words: Record<string, SeverityLevel> = {
  critical: 'critical',
  // Red Hat / AlmaLinux / Rocky summaries: https://access.redhat.com/security/updates/classification
  important: 'high',
  high: 'high',
  // GitHub advisories say MODERATE.
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

function level(word: unknown): SeverityLevel | undefined {
  if (typeof word !== 'string') return undefined;
  return words[word.trim().toLowerCase().replace(/\*+$/, '')];
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The highest severity the record states in words for this affected entry. */
export function statedSeverity(record: OsvRecord, affected?: OsvAffected): StatedSeverity {
  const candidates: [unknown, string][] = [
    [field(affected?.database_specific, 'severity'), 'affected.database_specific.severity'],
    [field(affected?.ecosystem_specific, 'severity'), 'affected.ecosystem_specific.severity'],
    [field(affected?.ecosystem_specific, 'urgency'), 'affected.ecosystem_specific.urgency'],
    [field(record.database_specific, 'severity'), 'database_specific.severity'],
    [/^(Critical|Important|Moderate|Low):/.exec(record.summary ?? '')?.[1], 'summary prefix'],
  ];
  for (const entry of record.severity ?? []) {
    // Ubuntu publishes its priority as a severity entry of type "Ubuntu".
    if (entry.type === 'Ubuntu') candidates.push([entry.score, 'severity[type=Ubuntu]']);
  }
  let best: StatedSeverity = { level: 'unknown' };
  for (const [word, where] of candidates) {
    const found = level(word);
    if (found !== undefined && severityLevels.indexOf(found) > severityLevels.indexOf(best.level)) {
      best = { level: found, source: `${where} "${String(word)}"` };
    }
  }
  return best;
}

export function severityAtLeast(severity: SeverityLevel, threshold: SeverityLevel): boolean {
  return severityLevels.indexOf(severity) >= severityLevels.indexOf(threshold);
}
