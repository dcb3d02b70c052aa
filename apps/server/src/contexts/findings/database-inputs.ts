/**
 * The real `FindingInputs`: the inventory and advisories contexts' public functions, nothing
 * else of theirs (their tables stay theirs).
 */
import { osReleaseFromFlag } from '@patchgate/inventory';
import type { Database } from '../../db/database.ts';
import { factsForCves, loadAdvisoryIndex } from '../advisories/index.ts';
import { assetContextOf, currentInventory, getAsset, listAssetIds } from '../inventory/index.ts';
import type { FindingInputs } from './inputs.ts';

export function databaseFindingInputs(database: Database): FindingInputs {
  return {
    assets: () => listAssetIds(database),
    asset: async (assetId) => {
      const asset = await getAsset(database, assetId);
      if (asset === undefined) return undefined;
      const declared = asset.osRelease === null ? undefined : osReleaseFromFlag(asset.osRelease);
      return {
        id: asset.id,
        name: asset.name,
        context: assetContextOf(asset),
        groups: asset.groups,
        ...(declared !== undefined && {
          osRelease: { ...declared, evidence: `asset osRelease ${asset.osRelease}` },
        }),
      };
    },
    inventory: (assetId) => currentInventory(database, assetId),
    advisoryIndex: () => loadAdvisoryIndex(database),
    facts: (cves) => factsForCves(database, cves),
  };
}
