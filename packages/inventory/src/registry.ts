import type { InventoryFormat, InventoryInput, InventoryResult } from './types.ts';
// Each format lives in its own folder under ./formats/<id>/ and is registered here.
// Adding a format: see ../readme.md ("Adding an inventory format").
import { distroFormats } from './formats/distro-formats.ts';
import { lockfileFormats } from './formats/lockfile-formats.ts';
import { sbomFormats } from './formats/sbom-formats.ts';

export const inventoryFormats: readonly InventoryFormat[] = [
  ...distroFormats,
  ...sbomFormats,
  ...lockfileFormats,
];

/** The format that claims the input most confidently, or undefined when none does. */
export function detectFormat(input: InventoryInput): InventoryFormat | undefined {
  let best: InventoryFormat | undefined;
  let bestScore = 0;
  for (const format of inventoryFormats) {
    const score = format.detect(input);
    if (score > bestScore) {
      best = format;
      bestScore = score;
    }
  }
  return best;
}

export function findFormat(id: string): InventoryFormat | undefined {
  return inventoryFormats.find((format) => format.id === id);
}

/** Detect the format (or use the one named) and parse. */
export function readInventory(input: InventoryInput, formatId?: string): InventoryResult {
  const format = formatId === undefined ? detectFormat(input) : findFormat(formatId);
  if (format === undefined) {
    return {
      ok: false,
      error:
        formatId === undefined
          ? `${input.path}: not a recognised inventory format (known: ${inventoryFormats.map((f) => f.id).join(', ')})`
          : `unknown inventory format "${formatId}" (known: ${inventoryFormats.map((f) => f.id).join(', ')})`,
    };
  }
  return format.parse(input);
}
