/**
 * What reconciliation needs from other contexts, as one small interface: the assets and their
 * current inventories (inventory context), the advisory index and vulnerability facts
 * (advisories context). The server wires the real contexts' public functions
 * (`databaseFindingInputs`); tests feed an in-memory implementation with real data.
 */
import type { Inventory, OsRelease } from '@patchgate/inventory';
import type { AdvisoryIndex } from '@patchgate/matcher';
import type { AssetContext } from '@patchgate/policy';
import type { FactsByCve } from '@patchgate/sources';

/** An asset as findings see it: its policy context and the groups lists filter by. */
export interface FindingAsset {
  readonly id: string;
  readonly name: string;
  readonly context: AssetContext;
  readonly groups: readonly string[];
  /** The asset's declared release: fills in for an inventory that does not show its own. */
  readonly osRelease?: OsRelease;
}

export interface CurrentInventory {
  readonly snapshotId: string;
  /** When the inventory was taken (ISO 8601): a finding's `last_seen_at`. */
  readonly takenAt: string;
  readonly inventory: Inventory;
}

export interface FindingInputs {
  /** Every asset id, for reconcile-all. */
  assets(): Promise<readonly string[]>;
  asset(assetId: string): Promise<FindingAsset | undefined>;
  inventory(assetId: string): Promise<CurrentInventory | undefined>;
  advisoryIndex(): Promise<AdvisoryIndex>;
  facts(cves: readonly string[]): Promise<FactsByCve>;
}
