/**
 * Read a VEX document: CycloneDX (1.4–1.6, JSON) or OpenVEX (0.2.0), told apart by content.
 * A document that is neither is an error; a bad statement inside one is a warning naming its
 * index, and the rest of the document is still read.
 */
import { parseJson } from '@patchgate/safe-parse';
import { readCycloneDxVex } from './read-vex-cyclonedx.ts';
import { readOpenVex } from './read-vex-openvex.ts';
import type { VexFormat, VexParseResult } from './vex-types.ts';
import { asObject } from './vex-types.ts';

/** Which VEX format a parsed JSON value is, if any. */
export function detectVexFormat(value: unknown): VexFormat | undefined {
  const doc = asObject(value);
  if (doc === undefined) return undefined;
  if (doc['bomFormat'] === 'CycloneDX') return 'cyclonedx';
  const context = doc['@context'];
  const contexts = Array.isArray(context) ? context : [context];
  if (contexts.some((c) => typeof c === 'string' && c.startsWith('https://openvex.dev/ns'))) {
    return 'openvex';
  }
  return undefined;
}

/** Read an already-parsed JSON document. `document` names it in statements and messages. */
export function readVexDocument(value: unknown, document: string): VexParseResult {
  const doc = asObject(value);
  const format = detectVexFormat(value);
  if (doc === undefined || format === undefined) {
    const csaf = asObject(doc?.['document'])?.['csaf_version'] !== undefined;
    return {
      ok: false,
      error: csaf
        ? `${document}: CSAF VEX is not supported; use CycloneDX or OpenVEX`
        : `${document}: not a VEX document: neither a CycloneDX BOM (bomFormat "CycloneDX") nor OpenVEX (@context https://openvex.dev/ns/…)`,
    };
  }
  return format === 'cyclonedx' ? readCycloneDxVex(doc, document) : readOpenVex(doc, document);
}

/** Read a VEX document from its text (JSON). */
export function parseVex(text: string, document: string): VexParseResult {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) {
    return {
      ok: false,
      error: `${document}: XML VEX is not supported; convert it to CycloneDX JSON first`,
    };
  }
  // Nesting limited and errors without the text (safe-parse).
  const parsed = parseJson(trimmed);
  if (!parsed.ok) return { ok: false, error: `${document}: ${parsed.error}` };
  return readVexDocument(parsed.value, document);
}
