import type { InventoryFormat } from '../types.ts';
import { cargoLock } from './cargo-lock/index.ts';
import { composerLock } from './composer-lock/index.ts';
import { gemfileLock } from './gemfile-lock/index.ts';
import { goBuildinfo } from './go-buildinfo/index.ts';
import { goMod } from './go-mod/index.ts';
import { npmPackageLock } from './npm-package-lock/index.ts';
import { pipRequirements } from './pip-requirements/index.ts';

/** lockfile formats, one folder each under ./formats/. */
export const lockfileFormats: readonly InventoryFormat[] = [
  npmPackageLock,
  pipRequirements,
  goMod,
  goBuildinfo,
  cargoLock,
  gemfileLock,
  composerLock,
];
