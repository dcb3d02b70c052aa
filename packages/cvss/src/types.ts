export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export type CvssSeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** CVSS v4.0 names a score after the metric groups that went into it (v4.0 specification, "CVSS Nomenclature"). */
export type CvssNomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

export interface CvssScore {
  version: CvssVersion;
  /** One decimal, rounded exactly as the version's specification rounds it. */
  baseScore: number;
  /** Qualitative rating of `baseScore` (v2: NVD's low/medium/high bands, see readme.md). */
  severity: CvssSeverity;
  /** Normalised: metrics in the specification's order, prefix as the specification writes it. */
  vector: string;
  /** Every metric of the vector as given (including explicit `X`/`ND`), in the specification's order. */
  metrics: Record<string, string>;
  /**
   * v2/v3.x: the temporal score; v4.0: the CVSS-BT score (v4.0 calls the group "threat").
   * Present only when the vector carries at least one metric of that group.
   */
  temporalScore?: number;
  /**
   * v2/v3.x: the environmental score (which includes the temporal metrics, as the equations do);
   * v4.0: the CVSS-BE or CVSS-BTE score of the whole vector.
   * Present only when the vector carries at least one environmental metric.
   */
  environmentalScore?: number;
  /** v4.0 only: which groups carry non-`X` values in the vector. */
  nomenclature?: CvssNomenclature;
}

export type CvssResult = { ok: true; value: CvssScore } | { ok: false; error: string };
