/**
 * SPDX 2.x tag-value: `Tag: value` lines; multi-line values between `<text>` and `</text>`.
 * https://spdx.github.io/spdx-spec/v2.3/conformance/ (tag-value format)
 */
import type { InventoryFormat, InventoryInput, InventoryResult } from '../../types.ts';
import type { SpdxPackage } from '../spdx-json/spdx.ts';
import { isPurlRef, spdxToInventory } from '../spdx-json/spdx.ts';

const headLength = 4096;

interface Draft {
  id?: string;
  name?: string;
  version?: string;
  purls: string[];
  purpose?: string;
}

/** Read packages; `FileName:`/`SnippetSPDXID:` end a package's section (their SPDXID is theirs). */
function readPackages(text: string, warnings: string[]): SpdxPackage[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const packages: SpdxPackage[] = [];
  let current: Draft | undefined;
  const flush = (): void => {
    if (current !== undefined) packages.push({ ...current });
    current = undefined;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      warnings.push(`line ${i + 1}: not a "Tag: value" line: ${line.slice(0, 80)}`);
      continue;
    }
    const tag = line.slice(0, colon).trim();
    let value = line.slice(colon + 1).trim();
    if (value.startsWith('<text>')) {
      // Skip to the closing tag; these values (comments, copyright) are not needed.
      let end = i;
      while (end < lines.length && !(lines[end] ?? '').includes('</text>')) end += 1;
      if (end >= lines.length) {
        warnings.push(`line ${i + 1}: <text> value of ${tag} is never closed`);
        break;
      }
      value = '';
      i = end;
    }
    switch (tag) {
      case 'PackageName':
        flush();
        current = { name: value, purls: [] };
        break;
      case 'FileName':
      case 'SnippetSPDXID':
        flush();
        break;
      case 'SPDXID':
        if (current !== undefined) current.id = value;
        break;
      case 'PackageVersion':
        if (current !== undefined) current.version = value;
        break;
      case 'PrimaryPackagePurpose':
        if (current !== undefined) current.purpose = value;
        break;
      case 'ExternalRef': {
        if (current === undefined) break;
        // ExternalRef: <category> <type> <locator>
        const [category, type, locator] = value.split(/\s+/);
        if (isPurlRef(category, type) && locator !== undefined) current.purls.push(locator);
        break;
      }
      default:
        break;
    }
  }
  flush();
  return packages;
}

export const spdxTagValueFormat: InventoryFormat = {
  id: 'spdx-tag-value',
  displayName: 'SPDX SBOM (tag-value)',
  family: 'sbom',
  mediaTypes: ['text/spdx', 'text/plain'],
  fileNames: ['*.spdx'],
  specUrls: [
    'https://spdx.github.io/spdx-spec/v2.3/package-information/',
    'https://spdx.github.io/spdx-spec/v2.3/external-repository-identifiers/',
  ],
  detect(input: InventoryInput): number {
    const head = input.text.slice(0, headLength);
    if (/^\s*SPDXVersion:\s*SPDX-2\.\d+/m.test(head)) return 0.95;
    return /\.spdx$/i.test(input.path) && /^\s*(SPDXID|PackageName):/m.test(head) ? 0.5 : 0;
  },
  parse(input: InventoryInput): InventoryResult {
    if (input.text.trim() === '')
      return { ok: false, error: `${input.path}: empty file, not an SPDX document` };
    const version = /^\s*SPDXVersion:\s*(\S+)/m.exec(input.text)?.[1];
    if (version === undefined) {
      return {
        ok: false,
        error: `${input.path}: not an SPDX tag-value document (no "SPDXVersion:" line)`,
      };
    }
    if (!/^SPDX-2\.\d+$/.test(version)) {
      return {
        ok: false,
        error: `${input.path}: SPDX version "${version}" is not supported in tag-value (2.x is)`,
      };
    }
    const warnings: string[] = [];
    const result = spdxToInventory(
      readPackages(input.text, warnings),
      'spdx-tag-value',
      input.path,
    );
    if (!result.ok || warnings.length === 0) return result;
    return {
      ok: true,
      inventory: { ...result.inventory, warnings: [...warnings, ...result.inventory.warnings] },
    };
  },
};
