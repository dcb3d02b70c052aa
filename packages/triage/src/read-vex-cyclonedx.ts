/**
 * CycloneDX VEX (spec 1.4–1.6, JSON): `vulnerabilities[]` with `analysis` and `affects[]`.
 * https://cyclonedx.org/capabilities/vex/ and
 * https://cyclonedx.org/docs/1.6/json/#vulnerabilities
 *
 * A vulnerability without `analysis.state` is not a VEX statement (it is a plain
 * vulnerability listing, as in a VDR) and is skipped with a warning.
 */
import type { VexParseResult, VexProduct, VexStatement, VexVersion } from './vex-types.ts';
import {
  affectedStatuses,
  asObject,
  asText,
  cyclonedxJustifications,
  cyclonedxResponses,
  isOneOf,
  vexStates,
} from './vex-types.ts';

const knownSpecVersions = new Set(['1.4', '1.5', '1.6']);

/** bom-ref → purl for every component in the document (metadata.component and nested). */
function componentPurls(bom: Record<string, unknown>): Map<string, string | undefined> {
  const refs = new Map<string, string | undefined>();
  const visit = (value: unknown): void => {
    const component = asObject(value);
    if (component === undefined) return;
    const ref = asText(component['bom-ref']);
    if (ref !== undefined) refs.set(ref, asText(component['purl']));
    const children = component['components'];
    if (Array.isArray(children)) children.forEach(visit);
  };
  visit(asObject(bom['metadata'])?.['component']);
  const components = bom['components'];
  if (Array.isArray(components)) components.forEach(visit);
  return refs;
}

/** Names of whoever stated it: `metadata.authors[].name`, else manufacturer, else supplier. */
function author(metadata: Record<string, unknown> | undefined): string | undefined {
  const authors = metadata?.['authors'];
  if (Array.isArray(authors)) {
    const names = authors.map((a) => asText(asObject(a)?.['name'])).filter((n) => n !== undefined);
    if (names.length > 0) return names.join(', ');
  }
  return (
    asText(asObject(metadata?.['manufacturer'])?.['name']) ??
    asText(asObject(metadata?.['supplier'])?.['name'])
  );
}

/**
 * Resolve an `affects[].ref`: a local bom-ref, or a BOM-Link `urn:cdx:serial/version#bom-ref`
 * (https://cyclonedx.org/capabilities/bomlink/). A bom-ref that is itself a purl (common:
 * tools use the purl as bom-ref) is taken as the purl when no component says otherwise.
 */
function resolveRef(
  ref: string,
  refs: Map<string, string | undefined>,
  serial: string | undefined,
): string | undefined {
  let bomRef = ref;
  let local = true;
  const link = /^urn:cdx:([^/#]+)(?:\/\d+)?(?:#(.*))?$/i.exec(ref);
  if (link) {
    if (link[2] === undefined) return undefined;
    try {
      bomRef = decodeURIComponent(link[2]);
    } catch {
      bomRef = link[2];
    }
    local = serial !== undefined && `urn:uuid:${link[1]}`.toLowerCase() === serial.toLowerCase();
  }
  const purl = local ? refs.get(bomRef) : undefined;
  if (purl !== undefined) return purl;
  return /^pkg:/i.test(bomRef) ? bomRef : undefined;
}

function readVersions(value: unknown, where: string, warnings: string[]): VexVersion[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const versions: VexVersion[] = [];
  value.forEach((item, k) => {
    const entry = asObject(item);
    const version = asText(entry?.['version']);
    const range = asText(entry?.['range']);
    if (version === undefined && range === undefined) {
      warnings.push(`${where}.versions[${k}]: neither version nor range; ignored`);
      return;
    }
    const status = entry?.['status'];
    if (status !== undefined && !isOneOf(affectedStatuses, status)) {
      warnings.push(`${where}.versions[${k}]: unknown status ${JSON.stringify(status)}; ignored`);
    }
    versions.push({
      ...(version !== undefined && { version }),
      ...(range !== undefined && { range }),
      ...(isOneOf(affectedStatuses, status) && { status }),
    });
  });
  return versions.length > 0 ? versions : undefined;
}

export function readCycloneDxVex(bom: Record<string, unknown>, document: string): VexParseResult {
  const warnings: string[] = [];
  const specVersion = bom['specVersion'];
  if (typeof specVersion !== 'string' || !knownSpecVersions.has(specVersion)) {
    warnings.push(
      `specVersion ${JSON.stringify(specVersion)} is not 1.4–1.6; read with the 1.6 rules`,
    );
  }
  const vulnerabilities = bom['vulnerabilities'];
  if (!Array.isArray(vulnerabilities)) {
    warnings.push('no vulnerabilities[]: the BOM carries no VEX statements');
    return { ok: true, format: 'cyclonedx', statements: [], warnings };
  }
  const metadata = asObject(bom['metadata']);
  const refs = componentPurls(bom);
  const serial = asText(bom['serialNumber']);
  const by = author(metadata);
  const documentTime = asText(metadata?.['timestamp']);

  const statements: VexStatement[] = [];
  vulnerabilities.forEach((item, index) => {
    const at = `vulnerabilities[${index}]`;
    const vuln = asObject(item);
    const id = asText(vuln?.['id']);
    if (vuln === undefined || id === undefined) {
      warnings.push(`${at}: no id; skipped`);
      return;
    }
    const where = `${at} (${id})`;
    const analysis = asObject(vuln['analysis']);
    const state = analysis?.['state'];
    if (state === undefined) {
      warnings.push(`${where}: no analysis.state, not a VEX statement; skipped`);
      return;
    }
    if (!isOneOf(vexStates, state)) {
      warnings.push(`${where}: unknown analysis.state ${JSON.stringify(state)}; skipped`);
      return;
    }
    const justification = asText(analysis?.['justification']);
    if (justification !== undefined && !isOneOf(cyclonedxJustifications, justification)) {
      warnings.push(`${where}: unknown analysis.justification "${justification}"; kept as written`);
    }
    const detail = asText(analysis?.['detail']);
    // CycloneDX recommends, and the VEX minimum requirements (CISA 2023) demand, a reason
    // for `not_affected`: a justification or an impact statement (our `detail`).
    if (state === 'not_affected' && justification === undefined && detail === undefined) {
      warnings.push(
        `${where}: not_affected without analysis.justification or analysis.detail; not applied`,
      );
      return;
    }
    const rawResponse = analysis?.['response'];
    const response: string[] = [];
    if (Array.isArray(rawResponse)) {
      for (const r of rawResponse) {
        if (isOneOf(cyclonedxResponses, r)) response.push(r);
        else warnings.push(`${where}: unknown analysis.response ${JSON.stringify(r)}; ignored`);
      }
    }

    const aliases: string[] = [];
    const references = vuln['references'];
    if (Array.isArray(references)) {
      for (const reference of references) {
        const alias = asText(asObject(reference)?.['id']);
        if (alias !== undefined && alias !== id && !aliases.includes(alias)) aliases.push(alias);
      }
    }

    const products: VexProduct[] = [];
    const affects = vuln['affects'];
    if (Array.isArray(affects)) {
      affects.forEach((entry, k) => {
        const ref = asText(asObject(entry)?.['ref']);
        if (ref === undefined) {
          warnings.push(`${where}.affects[${k}]: no ref; ignored`);
          return;
        }
        const purl = resolveRef(ref, refs, serial);
        const versions = readVersions(
          asObject(entry)?.['versions'],
          `${where}.affects[${k}]`,
          warnings,
        );
        products.push({
          ...(purl !== undefined && { purl }),
          ...(purl !== ref && { ref }),
          ...(versions !== undefined && { versions }),
        });
      });
      if (products.length > 0 && products.every((p) => p.purl === undefined)) {
        warnings.push(
          `${where}: no affects[].ref resolves to a package URL (${products
            .map((p) => `"${p.ref ?? ''}"`)
            .join(', ')}); the statement cannot match a finding`,
        );
      }
    }

    const timestamp =
      asText(analysis?.['lastUpdated']) ?? asText(analysis?.['firstIssued']) ?? documentTime;
    statements.push({
      vulnerability: id,
      aliases,
      products,
      state,
      ...(justification !== undefined && { justification }),
      ...(isOneOf(cyclonedxJustifications, justification) && {
        cyclonedxJustification: justification,
      }),
      ...(detail !== undefined && { detail }),
      ...(response.length > 0 && { response }),
      source: {
        document,
        format: 'cyclonedx',
        index,
        ...(by !== undefined && { author: by }),
        ...(timestamp !== undefined && { timestamp }),
      },
    });
  });
  return { ok: true, format: 'cyclonedx', statements, warnings };
}
