/**
 * The ignore file (`.patchgateignore.yaml`), validated strictly: it is written by the user,
 * so an unknown key is a typo to report (an `expiry:` that silently never expires would
 * defeat the point of requiring one).
 */
import { z } from 'zod';

/** A calendar date `YYYY-MM-DD` that exists (no 2025-02-30). */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

function text(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : `expected ${what}`) })
    .trim()
    .min(1, 'must not be empty');
}

export const IgnoreFileEntry = z.strictObject({
  id: text('an advisory id or alias').describe('advisory id or one of its aliases (CVE, GHSA…)'),
  package: text('a package name or purl')
    .optional()
    .describe('package name, or a purl (with a version: that version only)'),
  reason: text('a reason').describe('why the finding is acceptable; required'),
  expires: text('a date YYYY-MM-DD')
    .refine(isIsoDate, 'expected a date YYYY-MM-DD')
    .describe('the first day the entry no longer applies; required'),
  owner: text('an owner').optional().describe('who decided, and answers for it'),
});
export type IgnoreFileEntry = z.infer<typeof IgnoreFileEntry>;

export const IgnoreFile = z.strictObject({
  version: z
    .literal(1, { error: (issue) => (issue.input === undefined ? 'required' : 'must be 1') })
    .describe('file format version'),
  ignore: z
    .array(z.unknown(), { error: 'expected a list of entries' })
    .default([])
    .describe('the entries; each validated on its own'),
});
export type IgnoreFile = z.infer<typeof IgnoreFile>;
