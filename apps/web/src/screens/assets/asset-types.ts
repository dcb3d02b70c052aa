/**
 * The assets screens' view of the API: every type is read from the generated `paths`, and the
 * closed vocabularies are listed once, checked against those types.
 */
import type { paths } from '../../api/client.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type AssetPage = Json<paths['/api/v1/assets']['get']['responses']['200']>;
export type Asset = AssetPage['assets'][number];
export type AssetListQuery = NonNullable<paths['/api/v1/assets']['get']['parameters']['query']>;
export type AssetCreateBody = NonNullable<
  paths['/api/v1/assets']['post']['requestBody']
>['content']['application/json'];
export type AssetUpdateBody = NonNullable<
  paths['/api/v1/assets/{id}']['patch']['requestBody']
>['content']['application/json'];
export type SnapshotPage = Json<paths['/api/v1/assets/{id}/snapshots']['get']['responses']['200']>;
export type Snapshot = SnapshotPage['snapshots'][number];
export type PackagePage = Json<
  paths['/api/v1/assets/{id}/snapshots/{snapshotId}/packages']['get']['responses']['200']
>;
export type InstalledPackage = PackagePage['packages'][number];
export type SnapshotDiff = Json<
  paths['/api/v1/assets/{id}/snapshots/diff']['get']['responses']['200']
>;
export type PackageChange = SnapshotDiff['changed'][number];
export type AvailableUpdates = Json<
  paths['/api/v1/assets/{id}/available-updates']['get']['responses']['200']
>;
export type AvailableUpdate = AvailableUpdates['updates'][number];
export type AgentList = Json<paths['/api/v1/agents']['get']['responses']['200']>;
export type Agent = AgentList['agents'][number];
export type MaintenanceWindow = Json<
  paths['/api/v1/calendar/windows']['get']['responses']['200']
>['windows'][number];
export type FindingPage = Json<paths['/api/v1/findings']['get']['responses']['200']>;
export type Finding = FindingPage['findings'][number];
export type FindingSummary = Json<paths['/api/v1/findings/summary']['get']['responses']['200']>;
export type CalendarRange = Json<paths['/api/v1/calendar']['get']['responses']['200']>;

export const assetKinds = [
  'host',
  'container-image',
  'application',
] as const satisfies readonly Asset['kind'][];
export const environments = [
  'production',
  'staging',
  'test',
  'development',
] as const satisfies readonly NonNullable<Asset['environment']>[];
export const criticalities = [
  'critical',
  'high',
  'medium',
  'low',
] as const satisfies readonly Asset['criticality'][];
export const exposures = [
  'internet',
  'internal',
  'unknown',
] as const satisfies readonly Asset['exposure'][];
export const assetSorts = [
  'name',
  'createdAt',
  'updatedAt',
] as const satisfies readonly NonNullable<AssetListQuery['sort']>[];

export const criticalityTone = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
} as const;

export const exposureTone = { internet: 'high', internal: 'neutral', unknown: 'warn' } as const;

/** `a, b` / `a,b` → ['a', 'b'] (labels never contain commas). */
export const parseLabels = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
];
