/** The verification API's document (zod, OpenAPI; ADR 0039). */
import { z } from 'zod';

const PackageVersion = z.object({ name: z.string(), version: z.string().nullable() });

export const HostVerification = z.object({
  assetId: z.string(),
  assetName: z.string(),
  taskId: z.string().describe('the install task verified'),
  rolloutId: z.string().nullable(),
  confirmed: z.boolean().describe('every patch is installed at its exact version'),
  expected: z.array(z.object({ name: z.string(), version: z.string() })),
  after: z.array(PackageVersion).describe('the versions the install reported afterwards'),
  mismatches: z.array(
    z.object({ name: z.string(), expected: z.string(), actual: z.string().nullable() }),
  ),
  rebootPending: z
    .boolean()
    .describe('the install left a reboot required and the agent has not reported it done'),
  rebootClearedAt: z.string().nullable(),
  installedAt: z.string(),
  recordedAt: z.string(),
});
export type HostVerification = z.infer<typeof HostVerification>;

export const VerificationReport = z.object({
  change: z.object({ id: z.string(), number: z.string() }),
  hosts: z.array(HostVerification).describe('the latest verified install per host'),
  rebootPending: z.array(z.string()).describe('hosts still waiting for a reboot'),
});
export type VerificationReport = z.infer<typeof VerificationReport>;
