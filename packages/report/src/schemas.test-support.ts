/**
 * Third-party validators for the output formats: Ajv (pinned, with ajv-formats) over the
 * official JSON schemas committed in testdata/schemas (see its SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import formats from 'ajv-formats';

// ajv-formats is CommonJS: under ESM its plugin is the module's `default`.
const addFormats = (formats as unknown as { default?: FormatsPlugin }).default ?? formats;

const schemas = new URL('../testdata/schemas/', import.meta.url);

function schema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, schemas), 'utf8')) as Record<string, unknown>;
}

// The schemas use vocabulary Ajv does not know (`meta:enum`, `deprecated`…): not strict.
const options = { allErrors: true, strict: false } as const;

function sarifValidator(): ValidateFunction {
  const ajv = new Ajv2020(options);
  addFormats(ajv);
  return ajv.compile(schema('sarif-2.1.0.json'));
}

function cycloneDxValidator(): ValidateFunction {
  const ajv = new Ajv(options);
  addFormats(ajv);
  // CycloneDX's library ships the schemas with `.SNAPSHOT` names and refs between them.
  for (const [file, id] of [
    ['spdx.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json'],
    ['jsf-0.82.SNAPSHOT.schema.json', 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json'],
  ] as const)
    ajv.addSchema({ ...schema(file), $id: id });
  return ajv.compile(schema('bom-1.6.SNAPSHOT.schema.json'));
}

function openVexValidator(): ValidateFunction {
  const ajv = new Ajv2020(options);
  addFormats(ajv);
  return ajv.compile(schema('openvex_json_schema.json'));
}

const validators = {
  sarif: sarifValidator,
  cyclonedx: cycloneDxValidator,
  openvex: openVexValidator,
} as const;
const compiled = new Map<keyof typeof validators, ValidateFunction>();

/** The schema's errors for a document, as `path message` lines; empty when valid. */
export function schemaErrors(kind: keyof typeof validators, document: unknown): string[] {
  let validate = compiled.get(kind);
  if (validate === undefined) compiled.set(kind, (validate = validators[kind]()));
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`,
  );
}
