/**
 * PCI DSS v4.0.1 requirement 6.3.3: "critical or high-security patches/updates are installed
 * within one month of release"; all other applicable patches "within an appropriate time frame
 * as determined by the entity" (requirement 6.3.1 ranks them).
 *
 * Source: PCI DSS v4.0.1 (June 2024), requirement 6.3.3,
 * https://docs-prv.pcisecuritystandards.org/PCI%20DSS/Standard/PCI-DSS-v4_0_1.pdf
 *
 * "Release" is the advisory's published date when the advisory states one, else detection (the
 * explanation says which); one month is one calendar month (2024-01-31 → 2024-02-29). Our
 * documented default for the others: medium 90 days, low and none 120 days from detection.
 * Unknown severity is handled as high (one month) until rated.
 */
import { definePolicy } from '../decide.ts';
import type { SeverityTimelines } from './severity-timelines.ts';
import { evaluateSeverity } from './severity-timelines.ts';

export const pciTimelines: SeverityTimelines = {
  critical: {
    priority: 'P1',
    months: 1,
    from: 'release',
    description: 'critical security patch: install within one month of release (PCI DSS 6.3.3)',
  },
  high: {
    priority: 'P2',
    months: 1,
    from: 'release',
    description: 'high security patch: install within one month of release (PCI DSS 6.3.3)',
  },
  medium: {
    priority: 'P3',
    days: 90,
    from: 'detection',
    description:
      'medium: within 90 days of detection (entity-defined time frame, Patchgate default)',
  },
  low: {
    priority: 'P4',
    days: 120,
    from: 'detection',
    description: 'low: within 120 days of detection (entity-defined time frame, Patchgate default)',
  },
  none: {
    priority: 'P5',
    days: 120,
    from: 'detection',
    description:
      'CVSS none: within 120 days of detection (entity-defined time frame, Patchgate default)',
  },
  unknown: {
    priority: 'P2',
    months: 1,
    from: 'release',
    description: 'unrated: handled as high, within one month of release, until a severity is known',
  },
};

export const pciDss4Policy = definePolicy(
  {
    id: 'pci-dss-4',
    name: 'PCI DSS 4.0.1',
    version: '1.0.0',
    specUrls: [
      'https://docs-prv.pcisecuritystandards.org/PCI%20DSS/Standard/PCI-DSS-v4_0_1.pdf',
      'https://www.pcisecuritystandards.org/document_library/',
    ],
  },
  (cve, asset, input) => evaluateSeverity(pciTimelines, cve, asset, input),
);
