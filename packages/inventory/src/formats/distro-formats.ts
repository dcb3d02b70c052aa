import type { InventoryFormat } from '../types.ts';
import { apkInstalled } from './apk-installed/index.ts';
import { dpkgQuery } from './dpkg-query/index.ts';
import { dpkgStatus } from './dpkg-status/index.ts';
import { rpmQa } from './rpm-qa/index.ts';

/** distro formats, one folder each under ./formats/. */
export const distroFormats: readonly InventoryFormat[] = [
  dpkgStatus,
  dpkgQuery,
  rpmQa,
  apkInstalled,
];
