import { parseJson } from '@patchgate/safe-parse';
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import type { SpdxPackage } from './spdx.ts';
import { isPurlRef, spdxToInventory } from './spdx.ts';

const headLength = 8192;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function spdxPackage(fields: {
  id: string | undefined;
  name: string | undefined;
  version: string | undefined;
  purls: string[];
  purpose: string | undefined;
}): SpdxPackage {
  return {
    ...(fields.id !== undefined && { id: fields.id }),
    ...(fields.name !== undefined && { name: fields.name }),
    ...(fields.version !== undefined && { version: fields.version }),
    purls: fields.purls,
    ...(fields.purpose !== undefined && { purpose: fields.purpose }),
  };
}

/** SPDX 2.2/2.3 JSON: `packages[]` with `externalRefs[]`. */
function packagesV2(json: Record<string, unknown>): SpdxPackage[] {
  return list(json['packages'])
    .filter(isRecord)
    .map((p) =>
      spdxPackage({
        id: str(p['SPDXID']),
        name: str(p['name']),
        version: str(p['versionInfo']),
        purls: list(p['externalRefs'])
          .filter(isRecord)
          .filter((ref) => isPurlRef(str(ref['referenceCategory']), str(ref['referenceType'])))
          .flatMap((ref) => {
            const locator = str(ref['referenceLocator']);
            return locator === undefined ? [] : [locator];
          }),
        purpose: str(p['primaryPackagePurpose']),
      }),
    );
}

/**
 * SPDX 3.0 JSON-LD: `@graph` elements of type `software_Package`, named by
 * `software_packageUrl` or an `externalIdentifier` of type `packageUrl`.
 */
function packagesV3(json: Record<string, unknown>): SpdxPackage[] {
  return list(json['@graph'])
    .filter(isRecord)
    .filter((e) => e['type'] === 'software_Package')
    .map((e) => {
      const purls: string[] = [];
      const direct = str(e['software_packageUrl']);
      if (direct !== undefined) purls.push(direct);
      for (const ident of list(e['externalIdentifier']).filter(isRecord)) {
        const value = str(ident['identifier']);
        if (
          ident['externalIdentifierType'] === 'packageUrl' &&
          value !== undefined &&
          !purls.includes(value)
        ) {
          purls.push(value);
        }
      }
      return spdxPackage({
        id: str(e['spdxId']),
        name: str(e['name']),
        version: str(e['software_packageVersion']),
        purls,
        purpose: str(e['software_primaryPurpose']),
      });
    });
}

const v3Context = /"@context"\s*:\s*"https:\/\/spdx\.org\/rdf\/3\.[^"]*"/;

export const spdxJsonFormat: InventoryFormat = {
  id: 'spdx-json',
  displayName: 'SPDX SBOM (JSON, 2.2/2.3 and 3.0 JSON-LD)',
  family: 'sbom',
  mediaTypes: ['application/spdx+json', 'application/json'],
  fileNames: ['*.spdx.json', '*.spdx3.json'],
  specUrls: [
    'https://spdx.github.io/spdx-spec/v2.3/package-information/',
    'https://spdx.github.io/spdx-spec/v2.3/external-repository-identifiers/',
    'https://spdx.github.io/spdx-spec/v3.0.1/model/Software/Classes/Package/',
  ],
  detect(input: InventoryInput): number {
    const head = input.text.slice(0, headLength);
    if (!head.trimStart().startsWith('{')) return 0;
    if (/"spdxVersion"\s*:\s*"SPDX-2\.\d+"/.test(head) || v3Context.test(head)) return 0.95;
    return /\.spdx(3)?\.json$/i.test(input.path) ? 0.3 : 0;
  },
  parse(input: InventoryInput): InventoryResult {
    if (input.text.trim() === '')
      return { ok: false, error: `${input.path}: empty file, not an SPDX document` };
    // A nesting limit before anything walks the tree (components within components, npm v1
    // `dependencies` within `dependencies` recurse); errors never quote the text.
    const parsed = parseJson(input.text);
    if (!parsed.ok) return { ok: false, error: `${input.path}: ${parsed.error}` };
    const json: unknown = parsed.value;
    if (!isRecord(json))
      return { ok: false, error: `${input.path}: not an SPDX document (not a JSON object)` };
    const version = str(json['spdxVersion']);
    if (version !== undefined) {
      if (!/^SPDX-2\.\d+$/.test(version)) {
        return {
          ok: false,
          error: `${input.path}: SPDX version "${version}" is not supported (2.2, 2.3 and 3.0 are)`,
        };
      }
      return spdxToInventory(packagesV2(json), 'spdx-json', input.path);
    }
    const context = json['@context'];
    if (typeof context === 'string' && context.startsWith('https://spdx.org/rdf/3.')) {
      return spdxToInventory(packagesV3(json), 'spdx-json', input.path);
    }
    return {
      ok: false,
      error: `${input.path}: not an SPDX document (no "spdxVersion" and no SPDX 3 "@context")`,
    };
  },
};
