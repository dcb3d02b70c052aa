// A version-independent reader for `METRIC:VALUE/METRIC:VALUE/...` vector bodies. Each version
// describes its metrics once as a table (spec order, allowed values, mandatory or not); the reader
// turns a body into one value per table row, so the scoring code reads values by position instead
// of looking strings up in a map.

export interface MetricDefinition {
  readonly name: string;
  readonly values: readonly string[];
  /** Mandatory metrics are the base metrics: a vector without one of them is invalid. */
  readonly mandatory: boolean;
}

export interface MetricTable {
  readonly label: string;
  readonly definitions: readonly MetricDefinition[];
  readonly index: ReadonlyMap<string, number>;
}

/** One entry per table row, in table order; `undefined` where the vector does not give the metric. */
export type MetricValues = readonly (string | undefined)[];

export type ParsedMetrics = { ok: true; values: MetricValues } | { ok: false; error: string };

export function defineMetricTable(
  label: string,
  definitions: readonly MetricDefinition[],
): MetricTable {
  return {
    label,
    definitions,
    index: new Map(definitions.map((definition, position) => [definition.name, position])),
  };
}

export function parseMetrics(table: MetricTable, body: string): ParsedMetrics {
  const values: (string | undefined)[] = new Array<string | undefined>(
    table.definitions.length,
  ).fill(undefined);
  if (body === '') return { ok: false, error: `${table.label} vector has no metrics` };
  const components = body.split('/');
  for (let position = 0; position < components.length; position++) {
    const component = components[position] ?? '';
    if (component === '') {
      return {
        ok: false,
        error: `empty component at position ${position + 1} (stray "/") in ${table.label} vector`,
      };
    }
    const colon = component.indexOf(':');
    if (colon <= 0 || colon !== component.lastIndexOf(':')) {
      return {
        ok: false,
        error: `malformed component "${component}" in ${table.label} vector (expected METRIC:VALUE)`,
      };
    }
    const name = component.slice(0, colon);
    const value = component.slice(colon + 1);
    const row = table.index.get(name);
    if (row === undefined) {
      return { ok: false, error: `unknown metric "${name}" in ${table.label} vector` };
    }
    const definition = table.definitions[row];
    if (definition === undefined) {
      return { ok: false, error: `unknown metric "${name}" in ${table.label} vector` };
    }
    if (values[row] !== undefined) {
      return { ok: false, error: `duplicate metric "${name}" in ${table.label} vector` };
    }
    if (!definition.values.includes(value)) {
      return {
        ok: false,
        error: `invalid value "${value}" for metric "${name}" in ${table.label} vector (expected one of ${definition.values.join(', ')})`,
      };
    }
    values[row] = value;
  }
  const missing = table.definitions
    .filter((definition, row) => definition.mandatory && values[row] === undefined)
    .map((definition) => definition.name);
  if (missing.length > 0) {
    const noun = missing.length === 1 ? 'metric' : 'metrics';
    return {
      ok: false,
      error: `missing mandatory base ${noun} ${missing.map((name) => `"${name}"`).join(', ')} in ${table.label} vector`,
    };
  }
  return { ok: true, values };
}

/** The metrics a vector gave, in table order, as the public `metrics` record. */
export function metricRecord(table: MetricTable, values: MetricValues): Record<string, string> {
  const record: Record<string, string> = {};
  table.definitions.forEach((definition, row) => {
    const value = values[row];
    if (value !== undefined) record[definition.name] = value;
  });
  return record;
}

/** The metrics a vector gave, in table order, joined back into a vector body. */
export function normalisedBody(table: MetricTable, values: MetricValues): string {
  const parts: string[] = [];
  table.definitions.forEach((definition, row) => {
    const value = values[row];
    if (value !== undefined) parts.push(`${definition.name}:${value}`);
  });
  return parts.join('/');
}
