/**
 * What report runs are made with (docs/adr/0045-report-runs-schedules-delivery.md): the catalogue
 * of report types, and the engine the composition root hands the run and schedule jobs — the
 * builders' `buildReport`, the documents' `renderReport` and notifications' `notifyReport` —
 * so runs, builders, renderers and delivery stay separate pieces joined in main.ts.
 */
import type { MetricPeriod, MetricScope } from '@patchgate/metrics';
import type { DocumentFormat, ReportDocument, ReportType } from '@patchgate/report';
import { documentFormats } from '@patchgate/report';
import type { ServerContext } from '../../context.ts';
import type { ReportNotice } from '../notifications/index.ts';

/** What a builder is asked for (the builders' `ReportRequest`). */
export interface ReportBuildRequest {
  readonly type: ReportType;
  readonly period?: MetricPeriod;
  readonly scope?: MetricScope;
  /** A change id or number (CHG-0001). */
  readonly change?: string;
  readonly dataAsOf?: string;
}

export interface RenderedContent {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly filename: string;
}

/** The pieces a run is made with; main.ts passes the real ones. */
export interface ReportEngine {
  build(
    ctx: ServerContext,
    request: ReportBuildRequest,
    progress?: (done: number, total: number, step: string) => void,
  ): Promise<ReportDocument>;
  render(
    document: ReportDocument,
    format: DocumentFormat,
    options?: { signal?: AbortSignal },
  ): Promise<RenderedContent>;
  /** Queue the deliveries of a scheduled report (notifications' `notifyReport`). */
  notify(
    ctx: ServerContext,
    notice: ReportNotice,
  ): Promise<{ deliveries: number; written: number; missingChannels: string[] }>;
}

export interface ReportTypeInfo {
  readonly type: ReportType;
  readonly title: string;
  readonly description: string;
  readonly formats: readonly DocumentFormat[];
  readonly needs: 'period' | 'change';
  /** False: without a period the report is the status as of its data-as-of. */
  readonly periodRequired: boolean;
}

/** The built-in report types, in the order people pick them. */
export const reportCatalogue: readonly ReportTypeInfo[] = [
  {
    type: 'patch-compliance',
    title: 'Patch compliance',
    description:
      'Open and overdue findings, SLA compliance per priority, team, environment and asset group, time to remediate, the overdue list and exceptions, for a period and scope',
    formats: documentFormats,
    needs: 'period',
    periodRequired: true,
  },
  {
    type: 'change',
    title: 'Change report',
    description:
      'One change: request, risk, approvals with the plan version they approved, test and backup evidence, per-host results, package versions before and after, findings closed, and an audit excerpt with its hash-chain proof',
    formats: documentFormats,
    needs: 'change',
    periodRequired: false,
  },
  {
    type: 'pci-dss',
    title: 'PCI DSS 4.0.1 evidence',
    description:
      '6.3.3: critical and high vulnerabilities fixed within one month of release; 11.3.1: quarterly scan coverage of every asset',
    formats: documentFormats,
    needs: 'period',
    periodRequired: true,
  },
  {
    type: 'fedramp-poam',
    title: 'FedRAMP POA&M',
    description:
      "Every open weakness as a row of the FedRAMP Plan of Action and Milestones template's columns (the CSV form is the template)",
    formats: documentFormats,
    needs: 'period',
    periodRequired: false,
  },
  {
    type: 'bod-26-04',
    title: 'CISA BOD 26-04 remediation status',
    description:
      "KEV and SSVC findings against the directive's timelines: due, met, overdue, forensic triage flags",
    formats: documentFormats,
    needs: 'period',
    periodRequired: false,
  },
  {
    type: 'executive',
    title: 'Executive summary',
    description:
      'Headline figures with trends: SLA compliance, open and overdue findings, change success, for a period and scope',
    formats: documentFormats,
    needs: 'period',
    periodRequired: true,
  },
];

export function reportTypeInfo(type: ReportType): ReportTypeInfo {
  const info = reportCatalogue.find((t) => t.type === type);
  if (info === undefined) throw new Error(`no catalogue entry for report type ${type}`);
  return info;
}

/** The content's path: made absolute with PATCHGATE_PUBLIC_URL where a link leaves the server. */
export const reportContentPath = (id: string): string => `/api/v1/reports/${id}/content`;
