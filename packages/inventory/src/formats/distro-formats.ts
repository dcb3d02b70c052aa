import type { InventoryFormat } from '../types.ts';

/** distro formats, one folder each under ./formats/. */
export const distroFormats: readonly InventoryFormat[] = [];
