import type { InventoryFormat } from '../types.ts';

/** lockfile formats, one folder each under ./formats/. */
export const lockfileFormats: readonly InventoryFormat[] = [];
