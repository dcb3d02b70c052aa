import { parseJson } from '@patchgate/safe-parse';
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import type { CdxComponent, CdxDependency, CdxDocument, CdxProperty } from './cyclonedx.ts';
import { cyclonedxToInventory, looksLikeVex } from './cyclonedx.ts';

/** How much of the text detection looks at. */
const headLength = 8192;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function toComponent(value: Record<string, unknown>): CdxComponent {
  const properties: CdxProperty[] = [];
  for (const p of list(value['properties'])) {
    if (!isRecord(p)) continue;
    const name = str(p['name']);
    if (name !== undefined) properties.push({ name, value: str(p['value']) ?? '' });
  }
  const fields = {
    type: str(value['type']),
    bomRef: str(value['bom-ref']),
    group: str(value['group']),
    name: str(value['name']),
    version: str(value['version']),
    purl: str(value['purl']),
    scope: str(value['scope']),
  };
  return {
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    properties,
    components: list(value['components']).filter(isRecord).map(toComponent),
  };
}

function toDocument(json: Record<string, unknown>): CdxDocument {
  const metadata = json['metadata'];
  const metadataComponent =
    isRecord(metadata) && isRecord(metadata['component']) ? metadata['component'] : undefined;
  const dependencies: CdxDependency[] | undefined = Array.isArray(json['dependencies'])
    ? json['dependencies'].filter(isRecord).flatMap((d) => {
        const ref = str(d['ref']);
        if (ref === undefined) return [];
        // 1.2–1.3 allow `dependsOn` only; some 1.2 writers nest `{ref}` objects: accept both.
        const dependsOn = list(d['dependsOn']).flatMap((x) => {
          const target = isRecord(x) ? str(x['ref']) : str(x);
          return target === undefined ? [] : [target];
        });
        return [{ ref, dependsOn }];
      })
    : undefined;
  const specVersion = str(json['specVersion']);
  return {
    ...(specVersion !== undefined && { specVersion }),
    ...(metadataComponent !== undefined && { metadataComponent: toComponent(metadataComponent) }),
    components: list(json['components']).filter(isRecord).map(toComponent),
    ...(dependencies !== undefined && { dependencies }),
    vulnerabilityCount: list(json['vulnerabilities']).length,
  };
}

export const cyclonedxJsonFormat: InventoryFormat = {
  id: 'cyclonedx-json',
  displayName: 'CycloneDX SBOM (JSON)',
  family: 'sbom',
  mediaTypes: ['application/vnd.cyclonedx+json', 'application/json'],
  fileNames: ['*.cdx.json', '*.bom.json', 'bom.json'],
  specUrls: [
    'https://cyclonedx.org/specification/overview/',
    'https://cyclonedx.org/docs/1.6/json/',
    'https://github.com/package-url/purl-spec',
  ],
  detect(input: InventoryInput): number {
    const head = input.text.slice(0, headLength);
    if (!head.trimStart().startsWith('{')) return 0;
    if (!/"bomFormat"\s*:\s*"CycloneDX"/.test(head)) {
      return /\.(cdx|bom)\.json$|(^|[/\\])bom\.json$/i.test(input.path) && !looksLikeVex(head)
        ? 0.3
        : 0;
    }
    // A VEX document is CycloneDX too, but it is not an inventory: do not claim it.
    return looksLikeVex(head) ? 0 : 0.95;
  },
  parse(input: InventoryInput): InventoryResult {
    if (input.text.trim() === '')
      return { ok: false, error: `${input.path}: empty file, not a CycloneDX document` };
    // A nesting limit before anything walks the tree (components within components, npm v1
    // `dependencies` within `dependencies` recurse); errors never quote the text.
    const parsed = parseJson(input.text);
    if (!parsed.ok) return { ok: false, error: `${input.path}: ${parsed.error}` };
    const json: unknown = parsed.value;
    if (!isRecord(json) || json['bomFormat'] !== 'CycloneDX') {
      return {
        ok: false,
        error: `${input.path}: not a CycloneDX document (no "bomFormat": "CycloneDX")`,
      };
    }
    return cyclonedxToInventory(toDocument(json), 'cyclonedx-json', input.path);
  },
};
