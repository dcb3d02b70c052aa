/**
 * Apply VEX statements and ignore entries to findings. Nothing is dropped: a suppressed
 * finding stays in the output with `triage.suppressed: true` and is counted in the report.
 *
 * Rules (readme.md has the reasoning):
 * - A statement matches a finding when one of its ids (vulnerability or aliases) is one of
 *   the finding's (advisory id or aliases), case-insensitively, and its products are empty or
 *   one of them is the finding's package (version-aware).
 * - Of several matching statements the latest wins (timestamp, then input order).
 * - `not_affected` and `false_positive` suppress; `resolved` / `resolved_with_pedigree`
 *   suppress only when the statement names the installed version; `exploitable` and
 *   `in_triage` annotate.
 * - An active ignore entry (today < expires) suppresses a finding no VEX statement
 *   suppressed; expired entries never apply.
 */
import type { Finding } from '@patchgate/matcher';
import type { IgnoreEntry } from './ignore-file.ts';
import { ignoreEntryLabel } from './ignore-file.ts';
import type { PurlKey } from './purl-key.ts';
import { packagePurlKey, purlKey, samePackage } from './purl-key.ts';
import { sameVersion, versContains } from './version-match.ts';
import type { CycloneDxJustification, VexProduct, VexState, VexStatement } from './vex-types.ts';

/** VEX states, plus `ignored` for a finding accepted by an ignore-file entry. */
export type TriageState = VexState | 'ignored';

export interface Triage {
  readonly state: TriageState;
  /** CycloneDX vocabulary (an OpenVEX label is mapped; see readme.md). */
  readonly justification?: CycloneDxJustification;
  readonly detail?: string;
  readonly response?: readonly string[];
  /** `VEX acme.vex.json` or `ignore file .patchgateignore.yaml entry 3`. */
  readonly source: string;
  readonly suppressed: boolean;
  /** Ignore entries only. */
  readonly expires?: string;
  readonly owner?: string;
}

export type TriagedFinding = Finding & { readonly triage?: Triage };

export interface IgnoreEntryReport {
  readonly file: string;
  /** 1-based, as in `entry 3`. */
  readonly entry: number;
  readonly id: string;
  readonly package?: string;
  readonly expires: string;
  readonly owner?: string;
  /** Findings it matches (for expired entries: would have matched). */
  readonly findings: number;
}

export interface TriageReport {
  readonly findings: number;
  readonly suppressed: number;
  /** Findings with a triage that does not suppress them. */
  readonly annotated: number;
  readonly byState: Readonly<Partial<Record<TriageState, number>>>;
  /** Entries past their expiry date: not applied. */
  readonly expired: readonly IgnoreEntryReport[];
  /** Active entries that matched no finding. */
  readonly unused: readonly IgnoreEntryReport[];
  /** VEX statements that matched no finding, by document. */
  readonly unusedStatements: number;
  /** Things worth knowing: a `resolved` that did not name the version, an unreadable range… */
  readonly notes: readonly string[];
}

export interface TriageInput {
  readonly vex: readonly VexStatement[];
  readonly ignores: readonly IgnoreEntry[];
  /** `YYYY-MM-DD`; the clock is an input. */
  readonly today: string;
}

export interface TriageResult {
  readonly findings: readonly TriagedFinding[];
  readonly report: TriageReport;
}

const suppressingStates = new Set<VexState>(['not_affected', 'false_positive']);
const resolvedStates = new Set<VexState>(['resolved', 'resolved_with_pedigree']);

function idsOf(finding: Finding): Set<string> {
  return new Set([finding.advisory.id, ...finding.advisory.aliases].map((id) => id.toUpperCase()));
}

interface ProductMatch {
  /** The statement names the installed version (a purl version or a versions[] entry). */
  readonly covered: boolean;
}

/**
 * Does the product describe the finding's package? `undefined` when not. Notes about ranges
 * that could not be evaluated go to `notes`.
 */
function matchProduct(
  product: VexProduct,
  finding: Finding,
  pkg: PurlKey | undefined,
  suppressing: boolean,
  notes: Set<string>,
): ProductMatch | undefined {
  if (product.purl === undefined || pkg === undefined) return undefined;
  const key = purlKey(product.purl);
  if (key === undefined || !samePackage(key, pkg)) return undefined;
  const installed = pkg.version ?? finding.package.version;
  const ecosystem = finding.package.ecosystem;

  if (product.versions !== undefined && product.versions.length > 0) {
    for (const entry of product.versions) {
      // Never suppress on an entry that says "affected", nor annotate on one that says
      // "unaffected": the entry's own status must agree with the statement.
      if (entry.status === (suppressing ? 'affected' : 'unaffected')) continue;
      if (entry.version !== undefined && sameVersion(ecosystem, entry.version, installed)) {
        return { covered: true };
      }
      if (entry.range !== undefined) {
        const inside = versContains(entry.range, installed, ecosystem);
        if (!inside.ok) notes.add(`${product.purl}: range not evaluated: ${inside.error}`);
        else if (inside.contains) return { covered: true };
      }
    }
    return undefined;
  }
  if (key.version !== undefined) {
    return sameVersion(ecosystem, key.version, installed) ? { covered: true } : undefined;
  }
  return { covered: false };
}

function matchStatement(
  statement: VexStatement,
  finding: Finding,
  ids: Set<string>,
  pkg: PurlKey | undefined,
  notes: Set<string>,
): ProductMatch | undefined {
  const named = [statement.vulnerability, ...statement.aliases].some((id) =>
    ids.has(id.toUpperCase()),
  );
  if (!named) return undefined;
  if (statement.products.length === 0) return { covered: false };
  const suppressing = suppressingStates.has(statement.state) || resolvedStates.has(statement.state);
  let best: ProductMatch | undefined;
  for (const product of statement.products) {
    const match = matchProduct(product, finding, pkg, suppressing, notes);
    if (match?.covered === true) return match;
    best ??= match;
  }
  return best;
}

function time(statement: VexStatement): number {
  const ms =
    statement.source.timestamp === undefined ? NaN : Date.parse(statement.source.timestamp);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

function matchIgnore(
  entry: IgnoreEntry,
  finding: Finding,
  ids: Set<string>,
  pkg: PurlKey | undefined,
): boolean {
  if (!ids.has(entry.id.toUpperCase())) return false;
  if (entry.package === undefined) return true;
  if (/^pkg:/i.test(entry.package)) {
    return matchProduct({ purl: entry.package }, finding, pkg, true, new Set()) !== undefined;
  }
  return entry.package === finding.package.name || entry.package === finding.package.sourceName;
}

function entryReport(entry: IgnoreEntry, findings: number): IgnoreEntryReport {
  return {
    file: entry.file,
    entry: entry.index + 1,
    id: entry.id,
    ...(entry.package !== undefined && { package: entry.package }),
    expires: entry.expires,
    ...(entry.owner !== undefined && { owner: entry.owner }),
    findings,
  };
}

export function applyTriage(findings: readonly Finding[], input: TriageInput): TriageResult {
  const notes = new Set<string>();
  // Latest statement wins: order by time, then by position in the input (stable sort).
  const ordered = input.vex
    .map((statement, order) => ({ statement, order, time: time(statement) }))
    .sort((a, b) => a.time - b.time || a.order - b.order)
    .map((entry, rank) => ({ ...entry, rank }));
  const byId = new Map<string, (typeof ordered)[number][]>();
  for (const entry of ordered) {
    for (const id of [entry.statement.vulnerability, ...entry.statement.aliases]) {
      const key = id.toUpperCase();
      const list = byId.get(key) ?? [];
      if (!list.includes(entry)) list.push(entry);
      byId.set(key, list);
    }
  }
  const usedStatements = new Set<number>();
  const ignoreMatches = new Map<IgnoreEntry, number>(input.ignores.map((e) => [e, 0]));
  const active = input.ignores.filter((entry) => input.today < entry.expires);

  const out = findings.map((finding): TriagedFinding => {
    const ids = idsOf(finding);
    const pkg = packagePurlKey(finding.package);

    let vex: { statement: VexStatement; covered: boolean } | undefined;
    const candidates = new Set<(typeof ordered)[number]>();
    for (const id of ids) for (const c of byId.get(id) ?? []) candidates.add(c);
    const inOrder = [...candidates].sort((a, b) => a.rank - b.rank);
    for (const { statement, order } of inOrder) {
      const match = matchStatement(statement, finding, ids, pkg, notes);
      if (match === undefined) continue;
      usedStatements.add(order);
      vex = { statement, covered: match.covered }; // later ones override earlier ones
    }

    let ignore: IgnoreEntry | undefined;
    for (const entry of input.ignores) {
      if (!matchIgnore(entry, finding, ids, pkg)) continue;
      ignoreMatches.set(entry, (ignoreMatches.get(entry) ?? 0) + 1);
      if (ignore === undefined && active.includes(entry)) ignore = entry;
    }

    let vexTriage: Triage | undefined;
    if (vex !== undefined) {
      const { statement, covered } = vex;
      const resolved = resolvedStates.has(statement.state);
      if (resolved && !covered) {
        notes.add(
          `VEX ${statement.source.document} says ${statement.vulnerability} is ${statement.state} without naming the installed version; not suppressed`,
        );
      }
      vexTriage = {
        state: statement.state,
        ...(statement.cyclonedxJustification !== undefined && {
          justification: statement.cyclonedxJustification,
        }),
        ...(statement.detail !== undefined && { detail: statement.detail }),
        ...(statement.response !== undefined && { response: statement.response }),
        source: `VEX ${statement.source.document}`,
        suppressed: suppressingStates.has(statement.state) || (resolved && covered),
      };
    }
    if (vexTriage?.suppressed === true) return { ...finding, triage: vexTriage };
    if (ignore !== undefined) {
      return {
        ...finding,
        triage: {
          state: 'ignored',
          detail: ignore.reason,
          source: ignoreEntryLabel(ignore),
          suppressed: true,
          expires: ignore.expires,
          ...(ignore.owner !== undefined && { owner: ignore.owner }),
        },
      };
    }
    return vexTriage === undefined ? finding : { ...finding, triage: vexTriage };
  });

  const byState: Partial<Record<TriageState, number>> = {};
  let suppressed = 0;
  let annotated = 0;
  for (const finding of out) {
    if (finding.triage === undefined) continue;
    byState[finding.triage.state] = (byState[finding.triage.state] ?? 0) + 1;
    if (finding.triage.suppressed) suppressed++;
    else annotated++;
  }
  const expired = input.ignores
    .filter((entry) => !active.includes(entry))
    .map((entry) => entryReport(entry, ignoreMatches.get(entry) ?? 0));
  const unused = active
    .filter((entry) => (ignoreMatches.get(entry) ?? 0) === 0)
    .map((entry) => entryReport(entry, 0));

  return {
    findings: out,
    report: {
      findings: out.length,
      suppressed,
      annotated,
      byState,
      expired,
      unused,
      unusedStatements: input.vex.length - usedStatements.size,
      notes: [...notes].sort(),
    },
  };
}
