import { DEFAULT_MAX_DEPTH, depthError, xmlDepthExceeds } from '@patchgate/safe-parse';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import type {
  CdxComponent,
  CdxDependency,
  CdxDocument,
  CdxProperty,
} from '../cyclonedx-json/cyclonedx.ts';
import { cyclonedxToInventory, looksLikeVex } from '../cyclonedx-json/cyclonedx.ts';

const headLength = 8192;

/** `xmlns="http://cyclonedx.org/schema/bom/1.4"` (default or prefixed namespace). */
const namespacePattern =
  /xmlns(?::[\w.-]+)?\s*=\s*["']http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)["']/;

// Elements that repeat: always arrays, so that one <component> and many read the same way.
const repeated = new Set(['component', 'dependency', 'property', 'vulnerability']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // `cdx:component` and `component` are the same element; the namespace URI is checked on the raw text.
  removeNSPrefix: true,
  // Versions stay strings: "1.10" must not become the number 1.1.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => repeated.has(name),
});

type XmlNode = Record<string, unknown>;

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of an element: `<v>1.0</v>` → "1.0", `<v a="x">1.0</v>` → "1.0", `<v/>` → "". */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value)) return text(value['#text']) ?? '';
  return undefined;
}

function nodes(value: unknown): XmlNode[] {
  if (Array.isArray(value)) return value.filter(isNode);
  return isNode(value) ? [value] : [];
}

function children(parent: unknown, container: string, element: string): XmlNode[] {
  if (!isNode(parent)) return [];
  return nodes(parent[container]).flatMap((c) => nodes(c[element]));
}

function toComponent(node: XmlNode): CdxComponent {
  const properties: CdxProperty[] = children(node, 'properties', 'property').flatMap((p) => {
    const name = text(p['@_name']);
    return name === undefined ? [] : [{ name, value: text(p) ?? '' }];
  });
  const component: { -readonly [K in keyof CdxComponent]: CdxComponent[K] } = {
    properties,
    components: children(node, 'components', 'component').map(toComponent),
  };
  const type = text(node['@_type']);
  const bomRef = text(node['@_bom-ref']);
  const group = text(node['group']);
  const name = text(node['name']);
  const version = text(node['version']);
  const purl = text(node['purl']);
  const scope = text(node['scope']);
  if (type !== undefined) component.type = type;
  if (bomRef !== undefined) component.bomRef = bomRef;
  if (group !== undefined) component.group = group;
  if (name !== undefined) component.name = name;
  if (version !== undefined) component.version = version;
  if (purl !== undefined) component.purl = purl;
  if (scope !== undefined) component.scope = scope;
  return component;
}

function toDocument(bom: XmlNode, specVersion: string | undefined): CdxDocument {
  const metadataComponent = children(bom, 'metadata', 'component')[0];
  // <dependencies><dependency ref="a"><dependency ref="b"/></dependency></dependencies>
  const dependencies: CdxDependency[] | undefined =
    bom['dependencies'] === undefined
      ? undefined
      : children(bom, 'dependencies', 'dependency').flatMap((d) => {
          const ref = text(d['@_ref']);
          if (ref === undefined) return [];
          const dependsOn = nodes(d['dependency']).flatMap((x) => {
            const target = text(x['@_ref']);
            return target === undefined ? [] : [target];
          });
          return [{ ref, dependsOn }];
        });
  return {
    ...(specVersion !== undefined && { specVersion }),
    ...(metadataComponent !== undefined && { metadataComponent: toComponent(metadataComponent) }),
    components: children(bom, 'components', 'component').map(toComponent),
    ...(dependencies !== undefined && { dependencies }),
    vulnerabilityCount: children(bom, 'vulnerabilities', 'vulnerability').length,
  };
}

export const cyclonedxXmlFormat: InventoryFormat = {
  id: 'cyclonedx-xml',
  displayName: 'CycloneDX SBOM (XML)',
  family: 'sbom',
  mediaTypes: ['application/vnd.cyclonedx+xml', 'application/xml', 'text/xml'],
  fileNames: ['*.cdx.xml', 'bom.xml'],
  specUrls: [
    'https://cyclonedx.org/specification/overview/',
    'https://cyclonedx.org/docs/1.6/xml/',
    'https://github.com/package-url/purl-spec',
  ],
  detect(input: InventoryInput): number {
    const head = input.text.slice(0, headLength);
    if (!head.trimStart().startsWith('<')) return 0;
    if (!namespacePattern.test(head)) return 0;
    return looksLikeVex(head) ? 0 : 0.95;
  },
  parse(input: InventoryInput): InventoryResult {
    if (input.text.trim() === '')
      return { ok: false, error: `${input.path}: empty file, not a CycloneDX document` };
    // fast-xml-parser's tree (and our walk over nested components) recurses: nesting is
    // bounded before either runs.
    if (xmlDepthExceeds(input.text, DEFAULT_MAX_DEPTH))
      return { ok: false, error: `${input.path}: ${depthError(DEFAULT_MAX_DEPTH)}` };
    const valid = XMLValidator.validate(input.text);
    if (valid !== true) {
      return {
        ok: false,
        error: `${input.path}: not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`,
      };
    }
    const namespace = namespacePattern.exec(input.text.slice(0, headLength));
    let root: unknown;
    try {
      root = parser.parse(input.text) as unknown;
    } catch {
      // Validated above; what remains is the parser's own limits (entity expansion, nesting).
      return { ok: false, error: `${input.path}: not a readable XML document` };
    }
    const bom = isNode(root) ? root['bom'] : undefined;
    if (namespace === null || !isNode(bom)) {
      return {
        ok: false,
        error: `${input.path}: not a CycloneDX document (no <bom> in the http://cyclonedx.org/schema/bom/1.x namespace)`,
      };
    }
    return cyclonedxToInventory(toDocument(bom, namespace[1]), 'cyclonedx-xml', input.path);
  },
};
