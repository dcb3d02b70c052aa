/**
 * The inventory context's public face, for the composition root and the other contexts
 * (findings reads current inventories and asset context through these, never the tables).
 */
import type { AssetContext } from '@patchgate/policy';
import type { Asset } from './schema.ts';

export type { Asset, AssetKind, Package, SnapshotSummary } from './schema.ts';
export { currentInventory, getAsset, listAssetFacts, listAssetIds } from './service.ts';
export { registerInventoryRoutes } from './routes.ts';
export type { AvailableUpdate } from './updates.ts';
export { listAvailableUpdates, registerAvailableUpdateRoutes } from './updates.ts';
export type { AssetAvailableUpdate } from './update-reads.ts';
export { availableUpdatesOf } from './update-reads.ts';
export type { AssetRef } from './asset-ref.ts';
// For the agents context: the asset an agent enrols as, and the reports it sends.
export type { HostAssetRequest } from './agent-assets.ts';
export { ensureHostAsset } from './agent-assets.ts';
export { maxInventoryBytes, uploadRawInventory } from './service.ts';
export { InventoryParser } from './parse-pool.ts';
export { receiveUpload } from './receive-upload.ts';
export type { AvailableUpdateReport } from './updates.ts';
export { maxUpdateReportBytes, storeAvailableUpdates } from './updates.ts';
export { resolveAssetRef, unknownAsset } from './asset-ref.ts';

/** What @patchgate/policy needs to know about an asset. */
export function assetContextOf(asset: Asset): AssetContext {
  return {
    name: asset.name,
    ...(asset.environment !== null && { environment: asset.environment }),
    criticality: asset.criticality,
    exposure: asset.exposure,
    ...(asset.owner !== null && { owner: asset.owner }),
    tags: asset.tags,
  };
}
// The reports context's reads (issue 11): assets with their creation times, inventory scans.
export type { InventoryScan, ReportAsset } from './report-reads.ts';
export { assetsForReport, inventoryScans } from './report-reads.ts';
// What the reports context's metrics read (issue 11, ADR 0043).
export type { AssetMetricRow } from './metric-reads.ts';
export { assetMetricRows } from './metric-reads.ts';
