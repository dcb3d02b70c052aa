/** Reading one inventory file named on the command line: every problem is a usage error. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Inventory } from '@patchgate/inventory';
import { readInventory } from '@patchgate/inventory';
import { UsageError } from './io.ts';

export function readInventoryFile(
  path: string,
  cwd: string,
  formatId: string | undefined,
): Inventory {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`inventory not found: ${path}`);
  if (statSync(absolute).isDirectory()) {
    throw new UsageError(`${path} is a directory; pass the inventory files themselves`);
  }
  const result = readInventory({ path, text: readFileSync(absolute, 'utf8') }, formatId);
  if (!result.ok) throw new UsageError(result.error);
  return result.inventory;
}
