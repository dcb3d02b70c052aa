/**
 * Source paths and the allowed roots. A security analyst names a path through the API; the
 * server reads it. Without confinement that was an arbitrary file read (`/proc/self/environ`
 * came back, quoted in a sync error). Paths are confined to the roots of the server's
 * configuration (`advisoryFiles.roots`), checked at creation and again at every sync.
 */
import { resolve } from 'node:path';
import type { ConfinedPath } from '@patchgate/safe-parse/node';
import { confinePath, realRoots } from '@patchgate/safe-parse/node';
import type { ServerContext } from '../../context.ts';

/** A source's path as the server reads it: relative paths start at the first root. */
export const sourcePathOf = (ctx: ServerContext, path: string): string =>
  resolve(ctx.config.advisoryFiles.roots[0] ?? ctx.config.dataDir, path);

/**
 * Where a source's path really is (symbolic links and `..` resolved), when that is inside
 * an allowed root; `outside` for anything else, whether it exists or not (the answer must
 * not let a caller probe the server's files); `missing` only inside the roots.
 */
export async function confineSourcePath(ctx: ServerContext, path: string): Promise<ConfinedPath> {
  return confinePath(sourcePathOf(ctx, path), await realRoots(ctx.config.advisoryFiles.roots));
}
