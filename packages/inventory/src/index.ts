export type {
  InstalledPackage,
  Inventory,
  InventoryFormat,
  InventoryFormatFamily,
  InventoryInput,
  InventoryResult,
  OsRelease,
} from './types.ts';
export { inventoryFormatFamilies } from './types.ts';
export { detectFormat, findFormat, inventoryFormats, readInventory } from './registry.ts';
export {
  debianCodenames,
  osReleaseFromFile,
  osReleaseFromFlag,
  osvEcosystemBaseFor,
  osvEcosystemFor,
  parseOsReleaseFile,
  ubuntuCodenames,
  withRelease,
} from './os-release.ts';
export type { PackageUrl, PurlParseResult } from './purl.ts';
export { formatPurl, parsePurl, purlTypeForEcosystem } from './purl.ts';
export type {
  AvailableUpdate,
  AvailableUpdates,
  AvailableUpdatesFormat,
  AvailableUpdatesResult,
  UpdateOrigin,
} from './updates/index.ts';
export {
  availableUpdatesFormats,
  detectAptUpdates,
  isSecurityOrigin,
  parseAptUpdates,
} from './updates/index.ts';
