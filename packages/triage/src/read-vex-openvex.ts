/**
 * OpenVEX 0.2.0 (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md): `statements[]`
 * with `vulnerability`, `products[]`, `status`, `justification`, `impact_statement`,
 * `action_statement`, `timestamp`, `last_updated`. Statuses and justifications are mapped
 * onto the CycloneDX vocabulary (readme.md, "Mappings"); the justification is also kept as
 * written.
 */
import type {
  CycloneDxJustification,
  OpenVexJustification,
  OpenVexStatus,
  VexParseResult,
  VexProduct,
  VexState,
  VexStatement,
} from './vex-types.ts';
import { asObject, asText, isOneOf, openVexJustifications, openVexStatuses } from './vex-types.ts';

export const openVexStatusToState: Readonly<Record<OpenVexStatus, VexState>> = {
  not_affected: 'not_affected',
  affected: 'exploitable',
  fixed: 'resolved',
  under_investigation: 'in_triage',
};

/**
 * CycloneDX has no label for "cannot be controlled by adversary": none of its
 * `requires_*` / `protected_*` values says the same, so that one stays unmapped (the OpenVEX
 * label is still kept in `justification`).
 */
export const openVexJustificationToCycloneDx: Readonly<
  Record<OpenVexJustification, CycloneDxJustification | undefined>
> = {
  component_not_present: 'code_not_present',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: undefined,
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

/** A component's purl: `identifiers.purl`, else an `@id` that is a purl. */
function componentPurl(component: Record<string, unknown>): string | undefined {
  const fromIdentifiers = asText(asObject(component['identifiers'])?.['purl']);
  if (fromIdentifiers !== undefined) return fromIdentifiers;
  const id = asText(component['@id']);
  return id !== undefined && /^pkg:/i.test(id) ? id : undefined;
}

/**
 * A product, or, when it lists `subcomponents`, those subcomponents: the statement is then
 * about the subcomponent inside that product (the spec: "the vulnerability originates" in
 * the subcomponent). Patchgate inventories do not name the enclosing product, so the
 * subcomponent's purl is what matches; the product is kept in `within`.
 */
function readProduct(value: unknown): VexProduct[] {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return [];
    return [/^pkg:/i.test(text) ? { purl: text } : { ref: text }];
  }
  const product = asObject(value);
  if (product === undefined) return [];
  const purl = componentPurl(product);
  const id = asText(product['@id']);
  const self: VexProduct = {
    ...(purl !== undefined && { purl }),
    ...(id !== undefined && id !== purl && { ref: id }),
  };
  const subcomponents = product['subcomponents'];
  if (!Array.isArray(subcomponents) || subcomponents.length === 0) return [self];
  const within = purl ?? id;
  return subcomponents.flatMap((item) => {
    const sub = asObject(item);
    if (sub === undefined) return [];
    const subPurl = componentPurl(sub);
    const subId = asText(sub['@id']);
    if (subPurl === undefined && subId === undefined) return [];
    return [
      {
        ...(subPurl !== undefined && { purl: subPurl }),
        ...(subId !== undefined && subId !== subPurl && { ref: subId }),
        ...(within !== undefined && { within }),
      },
    ];
  });
}

export function readOpenVex(doc: Record<string, unknown>, document: string): VexParseResult {
  const warnings: string[] = [];
  const list = doc['statements'];
  if (!Array.isArray(list)) return { ok: false, error: 'OpenVEX document without statements[]' };
  const by = asText(doc['author']);
  const documentTime = asText(doc['timestamp']);

  const statements: VexStatement[] = [];
  list.forEach((item, index) => {
    const at = `statements[${index}]`;
    const statement = asObject(item);
    if (statement === undefined) {
      warnings.push(`${at}: not an object; skipped`);
      return;
    }
    // 0.2.0 has a vulnerability object; 0.0.x had a bare string.
    const rawVulnerability = statement['vulnerability'];
    const vulnerability = asObject(rawVulnerability);
    const id =
      asText(vulnerability?.['name']) ?? asText(vulnerability?.['@id']) ?? asText(rawVulnerability);
    if (id === undefined) {
      warnings.push(`${at}: no vulnerability.name; skipped`);
      return;
    }
    const where = `${at} (${id})`;
    const status = statement['status'];
    if (!isOneOf(openVexStatuses, status)) {
      warnings.push(`${where}: unknown status ${JSON.stringify(status)}; skipped`);
      return;
    }
    const justification = asText(statement['justification']);
    if (justification !== undefined && !isOneOf(openVexJustifications, justification)) {
      warnings.push(`${where}: unknown justification "${justification}"; kept as written`);
    }
    const impact = asText(statement['impact_statement']);
    // OpenVEX: "For statements conveying a not_affected status, a VEX statement MUST include
    // either a status justification or an impact_statement".
    if (status === 'not_affected' && justification === undefined && impact === undefined) {
      warnings.push(
        `${where}: not_affected without justification or impact_statement; not applied`,
      );
      return;
    }
    const action = asText(statement['action_statement']);
    if (status === 'affected' && action === undefined) {
      // The spec's MUST, but the statement still says "affected": keep it, say so.
      warnings.push(`${where}: affected without action_statement`);
    }
    const notes = asText(statement['status_notes']);

    const aliases: string[] = [];
    const rawAliases = vulnerability?.['aliases'];
    if (Array.isArray(rawAliases)) {
      for (const alias of rawAliases) {
        const text = asText(alias);
        if (text !== undefined && text !== id && !aliases.includes(text)) aliases.push(text);
      }
    }

    const rawProducts = statement['products'];
    const products = Array.isArray(rawProducts) ? rawProducts.flatMap(readProduct) : [];
    if (products.length === 0) {
      warnings.push(`${where}: no products; applies to every package with this vulnerability`);
    } else if (products.every((p) => p.purl === undefined)) {
      warnings.push(`${where}: no product has a package URL; the statement cannot match a finding`);
    }

    const mapped = isOneOf(openVexJustifications, justification)
      ? openVexJustificationToCycloneDx[justification]
      : undefined;
    const detail = impact ?? notes;
    const timestamp =
      asText(statement['last_updated']) ?? asText(statement['timestamp']) ?? documentTime;
    statements.push({
      vulnerability: id,
      aliases,
      products,
      state: openVexStatusToState[status],
      ...(justification !== undefined && { justification }),
      ...(mapped !== undefined && { cyclonedxJustification: mapped }),
      ...(detail !== undefined && { detail }),
      ...(action !== undefined && { action }),
      source: {
        document,
        format: 'openvex',
        index,
        ...(by !== undefined && { author: by }),
        ...(timestamp !== undefined && { timestamp }),
      },
    });
  });
  return { ok: true, format: 'openvex', statements, warnings };
}
