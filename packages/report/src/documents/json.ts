/**
 * The JSON form of a report document (issue 11): what programs read. Every figure under its
 * stable name (`figures.openFindings`…), every table's rows under its stable name
 * (`tables.overdue`), the inputs that regenerate it, and the warnings.
 */
import type { Cell, ReportDocument } from './model.ts';

export interface ReportDocumentJson {
  readonly type: ReportDocument['type'];
  readonly title: string;
  readonly inputs: ReportDocument['inputs'];
  readonly generatedAt: string;
  readonly figures: ReportDocument['figures'];
  readonly tables: Readonly<Record<string, readonly Readonly<Record<string, Cell>>[]>>;
  readonly warnings: readonly string[];
}

/** Every table block's rows by its name; two tables of one name are a builder's mistake. */
export function documentTables(document: ReportDocument): ReportDocumentJson['tables'] {
  const tables: Record<string, readonly Readonly<Record<string, Cell>>[]> = {};
  for (const section of document.sections)
    for (const block of section.blocks) {
      if (block.kind !== 'table') continue;
      if (Object.hasOwn(tables, block.name))
        throw new Error(`report "${document.title}" has two tables named "${block.name}"`);
      tables[block.name] = block.rows;
    }
  return tables;
}

export function documentJson(document: ReportDocument): ReportDocumentJson {
  return {
    type: document.type,
    title: document.title,
    inputs: document.inputs,
    generatedAt: document.generatedAt,
    figures: document.figures,
    tables: documentTables(document),
    warnings: document.warnings,
  };
}

/** `{ type, title, inputs, generatedAt, figures, tables, warnings }`, indented, one final newline. */
export function renderDocumentJson(document: ReportDocument): string {
  return JSON.stringify(documentJson(document), null, 2) + '\n';
}
