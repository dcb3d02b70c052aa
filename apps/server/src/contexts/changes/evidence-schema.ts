/**
 * The test-evidence API's zod schemas (docs/adr/0034-change-evidence.md): strict inputs, every
 * field described.
 */
import { z } from 'zod';

const count = (what: string) => z.int().min(0).max(1_000_000).describe(what);

export const evidenceOutcomes = ['passed', 'failed'] as const;
export type EvidenceOutcome = (typeof evidenceOutcomes)[number];

export const AutomatedEvidenceBody = z.strictObject({
  kind: z.literal('automated').describe('the results of an automated suite or pipeline'),
  suite: z.string().trim().min(1).max(200).describe('the suite or pipeline name'),
  passed: count('tests passed'),
  failed: count('tests failed'),
  skipped: count('tests skipped').default(0),
  outcome: z
    .enum(evidenceOutcomes)
    .optional()
    .describe(
      'the run’s verdict; default failed when a test failed or none passed, else passed (passed with failures is refused)',
    ),
  link: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional()
    .describe('a link to the run (http or https)'),
  ranAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('when the suite ran (ISO 8601); default now'),
  notes: z.string().max(10_000).default('').describe('remarks'),
});
export type AutomatedEvidenceBody = z.infer<typeof AutomatedEvidenceBody>;

export const ManualEvidenceBody = z.strictObject({
  kind: z.literal('manual').describe('a sign-off by the caller, who tested the change'),
  outcome: z.enum(evidenceOutcomes).describe('the tester’s verdict'),
  notes: z.string().trim().min(1).max(10_000).describe('what was tested and observed'),
});
export type ManualEvidenceBody = z.infer<typeof ManualEvidenceBody>;

export const EvidenceBody = z
  .discriminatedUnion('kind', [AutomatedEvidenceBody, ManualEvidenceBody])
  .describe('test evidence: automated results, or a manual sign-off by the caller');
export type EvidenceBody = z.infer<typeof EvidenceBody>;

export const EvidenceParams = z.strictObject({
  id: z.string().min(1).max(100).describe('change id, or its number (CHG-0042 or 42)'),
  evidenceId: z.uuid().describe('the evidence record'),
});
export type EvidenceParams = z.infer<typeof EvidenceParams>;

export const AttachmentParams = EvidenceParams.extend({
  attachmentId: z.uuid().describe('the attached file'),
});
export type AttachmentParams = z.infer<typeof AttachmentParams>;

export const AttachmentQuery = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'the file name (sanitised: no directories, no control characters); default "attachment"',
    ),
});
export type AttachmentQuery = z.infer<typeof AttachmentQuery>;

const Person = z.object({ id: z.string().nullable(), name: z.string() });

export const EvidenceAttachment = z.object({
  id: z.string(),
  name: z.string().describe('the sanitised file name'),
  mediaType: z.string().describe('as uploaded (downloads use it only when harmless)'),
  size: z.number().int().describe('bytes'),
  sha256: z.string().describe('SHA-256 of the content, lower-case hex'),
  addedBy: Person,
  addedAt: z.string(),
});
export type EvidenceAttachment = z.infer<typeof EvidenceAttachment>;

export const EvidenceRecord = z.object({
  id: z.string(),
  seq: z.number().int().describe('1, 2, 3… in the order recorded'),
  kind: z.enum(['automated', 'manual']),
  outcome: z.enum(evidenceOutcomes),
  suite: z.string().nullable().describe('automated: the suite'),
  passed: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  skipped: z.number().int().nullable(),
  link: z.string().nullable(),
  at: z.string().describe('automated: when it ran; manual: when it was signed off'),
  notes: z.string(),
  planVersion: z.number().int().describe('the plan version current when it was recorded'),
  recordedBy: Person.describe('who recorded it (a manual sign-off: who signed off)'),
  recordedAt: z.string(),
  attachments: z.array(EvidenceAttachment),
});
export type EvidenceRecord = z.infer<typeof EvidenceRecord>;

export const EvidenceList = z.object({
  evidence: z.array(EvidenceRecord).describe('oldest first'),
  limits: z.object({
    maxAttachmentBytes: z.number().int().describe('the largest file accepted'),
    maxAttachmentsPerChange: z.number().int(),
    maxRecordsPerChange: z.number().int(),
  }),
});
export type EvidenceList = z.infer<typeof EvidenceList>;
