/**
 * A compliance report as a document (issue 11): what it covers (its inputs, recorded so it can
 * be regenerated identically), its figures under stable names, and its sections of text,
 * figures, tables and charts. Builders (the server's reports context) make one; renderers turn
 * it into JSON, CSV or HTML (the server prints the HTML to PDF). Pure data: no I/O here.
 */

export const reportTypes = [
  'patch-compliance',
  'change',
  'pci-dss',
  'fedramp-poam',
  'bod-26-04',
  'executive',
] as const;
export type ReportType = (typeof reportTypes)[number];

export const documentFormats = ['pdf', 'csv', 'json', 'html'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

/** What a report was made from: enough to make it again, with the same figures. */
export interface ReportInputs {
  readonly type: ReportType;
  /** Both days included (UTC `YYYY-MM-DD`); null for a report on one change. */
  readonly period: { readonly from: string; readonly to: string } | null;
  /** Absent keys: every asset. */
  readonly scope: {
    readonly team?: string | undefined;
    readonly environment?: string | undefined;
    readonly assetGroup?: string | undefined;
  };
  /** The change report's change (id and number). */
  readonly change?: { readonly id: string; readonly number: string } | undefined;
  /** The prioritisation policy the due dates came from (id and name). */
  readonly policy: { readonly id: string; readonly name: string };
  /** The instant the figures describe: regenerating with it gives the same figures. */
  readonly dataAsOf: string;
}

/** A headline figure. `name` is stable (the JSON form's key), `label` is for people. */
export interface ReportFigure {
  readonly name: string;
  readonly label: string;
  readonly value: number | string | null;
  /** How to show `value`: `ratio` 0…1 shown as a percentage. */
  readonly unit?: 'count' | 'ratio' | 'days' | 'minutes' | 'text' | undefined;
  /** Why a value is null or what it counts (shown under it). */
  readonly note?: string | undefined;
  /** Good/bad against a target (e.g. SLA 90 %): colours the figure. */
  readonly status?: 'good' | 'warning' | 'bad' | undefined;
}

export interface TableColumn {
  readonly key: string;
  readonly label: string;
  readonly align?: 'left' | 'right' | undefined;
}

export type Cell = string | number | boolean | null;

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly { readonly x: string; readonly y: number | null }[];
}

export type ReportBlock =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'figures'; readonly figures: readonly ReportFigure[] }
  | {
      readonly kind: 'table';
      /** Stable name: the JSON form's `tables[name]`. */
      readonly name: string;
      readonly title?: string | undefined;
      readonly columns: readonly TableColumn[];
      readonly rows: readonly Readonly<Record<string, Cell>>[];
      /** Shown when `rows` is empty (why, and how to get rows). */
      readonly empty?: string | undefined;
      readonly note?: string | undefined;
    }
  | {
      readonly kind: 'chart';
      readonly chart: 'bar' | 'line' | 'stacked-bar';
      readonly title: string;
      readonly series: readonly ChartSeries[];
      readonly unit?: 'count' | 'ratio' | 'days' | 'minutes' | undefined;
      /** A horizontal target line (e.g. the SLA target 0.9). */
      readonly target?: number | undefined;
    };

export interface ReportSection {
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

export interface ReportDocument {
  readonly type: ReportType;
  readonly title: string;
  readonly subtitle?: string | undefined;
  readonly inputs: ReportInputs;
  readonly generatedAt: string;
  /** Every figure under its stable name (`openFindings`, `slaCompliance`…): the JSON form. */
  readonly figures: Readonly<Record<string, unknown>>;
  readonly sections: readonly ReportSection[];
  /** The CSV form: one table (for `fedramp-poam`, the POA&M template's columns). */
  readonly csv: {
    readonly columns: readonly TableColumn[];
    readonly rows: readonly Readonly<Record<string, Cell>>[];
  };
  /** Caveats the reader must see (no data for a scope, a policy without due dates…). */
  readonly warnings: readonly string[];
}
