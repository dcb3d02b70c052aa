/**
 * VEX statements, read from CycloneDX or OpenVEX documents into one shape. The state
 * vocabulary is CycloneDX's (`analysis.state`), the richer of the two; OpenVEX statuses are
 * mapped onto it (see readme.md, "Mappings").
 */

/** CycloneDX `impactAnalysisState` (1.4–1.6). */
export const vexStates = [
  'resolved',
  'resolved_with_pedigree',
  'exploitable',
  'in_triage',
  'false_positive',
  'not_affected',
] as const;
export type VexState = (typeof vexStates)[number];

/** CycloneDX `impactAnalysisJustification` (1.4–1.6). */
export const cyclonedxJustifications = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;
export type CycloneDxJustification = (typeof cyclonedxJustifications)[number];

/** CycloneDX `analysis.response[]` values (1.4–1.6). */
export const cyclonedxResponses = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
] as const;
export type CycloneDxResponse = (typeof cyclonedxResponses)[number];

/** OpenVEX 0.2.0 statuses. */
export const openVexStatuses = [
  'not_affected',
  'affected',
  'fixed',
  'under_investigation',
] as const;
export type OpenVexStatus = (typeof openVexStatuses)[number];

/** OpenVEX 0.2.0 justification labels (from CISA's "VEX Status Justifications", 2022). */
export const openVexJustifications = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type OpenVexJustification = (typeof openVexJustifications)[number];

/** CycloneDX `affects[].versions[].status`. */
export const affectedStatuses = ['affected', 'unaffected', 'unknown'] as const;
export type AffectedStatus = (typeof affectedStatuses)[number];

/** One entry of CycloneDX `affects[].versions[]`: a single version or a `vers:` range. */
export interface VexVersion {
  readonly version?: string;
  readonly range?: string;
  /** As written; absent when the document left it out (the schema's default is `affected`). */
  readonly status?: AffectedStatus;
}

/** A product a statement is about. Only purls can match findings; `ref` is kept for messages. */
export interface VexProduct {
  readonly purl?: string;
  /** The CycloneDX `affects[].ref` or OpenVEX `@id` as written, when it is not the purl. */
  readonly ref?: string;
  /** CycloneDX `affects[].versions[]`; when present, they decide which versions are covered. */
  readonly versions?: readonly VexVersion[];
  /** OpenVEX: the product that contains this subcomponent (kept for display, not matched). */
  readonly within?: string;
}

export type VexFormat = 'cyclonedx' | 'openvex';

export interface VexStatement {
  /** The vulnerability id the statement names (CycloneDX `id`, OpenVEX `vulnerability.name`). */
  readonly vulnerability: string;
  /** Other ids for it (CycloneDX `references[].id`, OpenVEX `vulnerability.aliases`). */
  readonly aliases: readonly string[];
  /** Empty: the statement applies to every package that has the vulnerability. */
  readonly products: readonly VexProduct[];
  readonly state: VexState;
  /** The justification as written in the document (CycloneDX or OpenVEX vocabulary). */
  readonly justification?: string;
  /** The justification in CycloneDX vocabulary; absent when none maps (readme.md). */
  readonly cyclonedxJustification?: CycloneDxJustification;
  /** CycloneDX `analysis.detail`; OpenVEX `impact_statement`, else `status_notes`. */
  readonly detail?: string;
  /** CycloneDX `analysis.response[]`. */
  readonly response?: readonly string[];
  /** OpenVEX `action_statement` (what to do about an affected product). */
  readonly action?: string;
  readonly source: {
    readonly document: string;
    readonly format: VexFormat;
    /** Index of the statement in the document (`vulnerabilities[i]` / `statements[i]`). */
    readonly index: number;
    readonly author?: string;
    /** When the statement was made (the latest wins; see readme.md, "Precedence"). */
    readonly timestamp?: string;
  };
}

export type VexParseResult =
  | {
      readonly ok: true;
      readonly format: VexFormat;
      readonly statements: readonly VexStatement[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/** A JSON object, or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A non-empty trimmed string, or undefined. */
export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
