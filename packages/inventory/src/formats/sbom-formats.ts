import type { InventoryFormat } from '../types.ts';

/** sbom formats, one folder each under ./formats/. */
export const sbomFormats: readonly InventoryFormat[] = [];
