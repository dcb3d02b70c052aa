/**
 * The real `FindingInputs`: the inventory and advisories contexts' public functions, nothing
 * else of theirs (their tables stay theirs).
 */
import type { Database } from '../../db/database.ts';
import { factsForCves, loadAdvisoryIndex } from '../advisories/index.ts';
import { assetContextOf, currentInventory, getAsset, listAssetIds } from '../inventory/index.ts';
import type { FindingInputs } from './inputs.ts';

export function databaseFindingInputs(database: Database): FindingInputs {
  return {
    assets: () => listAssetIds(database),
    asset: async (assetId) => {
      const asset = await getAsset(database, assetId);
      return asset === undefined
        ? undefined
        : { id: asset.id, name: asset.name, context: assetContextOf(asset), groups: asset.groups };
    },
    inventory: (assetId) => currentInventory(database, assetId),
    advisoryIndex: () => loadAdvisoryIndex(database),
    facts: (cves) => factsForCves(database, cves),
  };
}
