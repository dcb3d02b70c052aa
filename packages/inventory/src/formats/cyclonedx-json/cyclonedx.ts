/**
 * CycloneDX document → Inventory, shared by the JSON and XML readers. Both serialisations are
 * first brought to the small model below (only what an inventory needs), then read once.
 *
 * Spec: https://cyclonedx.org/docs/1.6/json/ (components, metadata.component, dependencies).
 */
import {
  installedFromPurl,
  osReleaseFromSbom,
  parsePurl,
  settleDistroRelease,
  SkipTally,
} from '../../purl.ts';
import type { InstalledPackage, InventoryResult, OsRelease } from '../../types.ts';

export interface CdxProperty {
  readonly name: string;
  readonly value: string;
}

export interface CdxComponent {
  readonly type?: string;
  readonly bomRef?: string;
  readonly group?: string;
  readonly name?: string;
  readonly version?: string;
  readonly purl?: string;
  readonly scope?: string;
  readonly properties: readonly CdxProperty[];
  readonly components: readonly CdxComponent[];
}

export interface CdxDependency {
  readonly ref: string;
  readonly dependsOn: readonly string[];
}

export interface CdxDocument {
  readonly specVersion?: string;
  readonly metadataComponent?: CdxComponent;
  readonly components: readonly CdxComponent[];
  /** Undefined when the document has no `dependencies` at all (graph unknown). */
  readonly dependencies?: readonly CdxDependency[];
  readonly vulnerabilityCount: number;
}

export const vexError =
  'this is a VEX document, not an inventory: it lists vulnerabilities and no components (read it as VEX, and give the SBOM it refers to as the inventory)';

function property(component: CdxComponent, ...names: string[]): string | undefined {
  for (const name of names) {
    const found = component.properties.find((p) => p.name === name);
    if (found !== undefined && found.value !== '') return found.value;
  }
  return undefined;
}

/** The operating system a component describes (Syft writes `syft:distro:*` properties beside it). */
function osFromComponent(component: CdxComponent): OsRelease | undefined {
  const name = property(component, 'syft:distro:id') ?? component.name;
  if (name === undefined || name === '') return undefined;
  const version = property(component, 'syft:distro:versionID') ?? component.version;
  return osReleaseFromSbom(name, version, 'CycloneDX operating-system component');
}

/** Where the component was found, when the generating tool says (Trivy, Syft properties). */
function locationOf(component: CdxComponent): string | undefined {
  return property(component, 'aquasecurity:trivy:FilePath', 'syft:location:0:path');
}

function* walk(components: readonly CdxComponent[]): Generator<CdxComponent> {
  for (const component of components) {
    yield component;
    yield* walk(component.components);
  }
}

function countComponents(components: readonly CdxComponent[]): number {
  return [...walk(components)].length;
}

/**
 * Direct dependencies of the metadata component, or undefined when the graph does not say.
 * Components that yield no package (an `operating-system` node, a lockfile `application` node
 * without purl) are looked through: Trivy's root → OS → packages makes the packages direct.
 */
function directRefs(
  doc: CdxDocument,
  packageRefs: ReadonlySet<string>,
): { direct: Set<string>; inGraph: Set<string> } | undefined {
  const rootRef = doc.metadataComponent?.bomRef;
  if (doc.dependencies === undefined || rootRef === undefined) return undefined;
  const edges = new Map(doc.dependencies.map((d) => [d.ref, d.dependsOn]));
  const rootEdges = edges.get(rootRef);
  if (rootEdges === undefined || rootEdges.length === 0) return undefined;
  const direct = new Set<string>();
  const seen = new Set<string>([rootRef]);
  const queue = [...rootEdges];
  while (queue.length > 0) {
    const ref = queue.shift() as string;
    if (seen.has(ref)) continue;
    seen.add(ref);
    if (packageRefs.has(ref)) direct.add(ref);
    else queue.push(...(edges.get(ref) ?? []));
  }
  const inGraph = new Set<string>();
  for (const dep of doc.dependencies) {
    inGraph.add(dep.ref);
    for (const ref of dep.dependsOn) inGraph.add(ref);
  }
  return { direct, inGraph };
}

export function cyclonedxToInventory(
  doc: CdxDocument,
  format: string,
  source: string,
): InventoryResult {
  const total = countComponents(doc.components);
  if (total === 0 && doc.vulnerabilityCount > 0)
    return { ok: false, error: `${source}: ${vexError}` };

  const warnings: string[] = [];
  const skipped = new SkipTally();
  const found: { pkg: InstalledPackage; ref?: string }[] = [];
  const purlReleases: OsRelease[] = [];
  let declared: OsRelease | undefined;

  const metadata = doc.metadataComponent;
  if (metadata?.type === 'operating-system') declared = osFromComponent(metadata);

  let withoutPurl = 0;
  for (const component of walk(doc.components)) {
    const label = [component.group, component.name, component.version]
      .filter((s) => s !== undefined && s !== '')
      .join(' ');
    if (component.type === 'operating-system') {
      const os = osFromComponent(component);
      if (os !== undefined && declared === undefined) declared = os;
      else if (os !== undefined && declared !== undefined && os.id !== declared.id) {
        warnings.push(
          `several operating systems described (${declared.id}, ${os.id}); using ${declared.id}`,
        );
      }
      continue;
    }
    // The purl names the package; a bom-ref that is itself a purl is the only fallback where
    // the ecosystem is certain (group/name/version alone do not say which registry).
    let purlText = component.purl;
    if (
      (purlText === undefined || purlText === '') &&
      component.bomRef !== undefined &&
      parsePurl(component.bomRef).ok
    ) {
      purlText = component.bomRef;
    }
    if (purlText === undefined || purlText === '') {
      withoutPurl += 1;
      continue;
    }
    const result = installedFromPurl(purlText, component.version);
    if (!result.ok) {
      skipped.add(result.error.replace(/ for .*$/, ''), purlText || label);
      continue;
    }
    if (result.distroRelease !== undefined) purlReleases.push(result.distroRelease);
    const pkg: InstalledPackage = { ...result.package };
    // Trivy names the Debian/Alpine source package in properties instead of `upstream=`.
    if (pkg.sourceName === undefined) {
      const srcName = property(component, 'aquasecurity:trivy:SrcName');
      if (srcName !== undefined && srcName !== pkg.name) pkg.sourceName = srcName;
    }
    const location = locationOf(component);
    if (location !== undefined) pkg.location = location;
    // `excluded`: "not part of the runtime" (test and build tools) — the closest to a dev dependency.
    if (component.scope === 'excluded') pkg.dev = true;
    found.push({ pkg, ...(component.bomRef !== undefined && { ref: component.bomRef }) });
  }

  const graph = directRefs(
    doc,
    new Set(found.flatMap((f) => (f.ref === undefined ? [] : [f.ref]))),
  );
  if (graph !== undefined) {
    for (const entry of found) {
      if (entry.ref === undefined) continue;
      if (graph.direct.has(entry.ref)) entry.pkg.direct = true;
      else if (graph.inGraph.has(entry.ref)) entry.pkg.direct = false;
    }
  }

  if (withoutPurl > 0) {
    warnings.push(
      `${withoutPurl} of ${total} components have no purl and were not read (name and version alone do not say which ecosystem)`,
    );
  }
  if (total === 0) warnings.push('the document lists no components');
  const settled = settleDistroRelease(
    found.map((f) => f.pkg),
    purlReleases,
    declared,
  );
  return {
    ok: true,
    inventory: {
      format,
      source,
      ...(settled.os !== undefined && { os: settled.os }),
      packages: settled.packages,
      warnings: [...warnings, ...skipped.warnings(), ...settled.warnings],
    },
  };
}

/** How sure a CycloneDX reader is, from what the first bytes say about VEX. */
export function looksLikeVex(head: string): boolean {
  return (
    /"vulnerabilities"\s*:|<vulnerabilities[\s>]/.test(head) &&
    !/"components"\s*:|<components[\s>]/.test(head)
  );
}
