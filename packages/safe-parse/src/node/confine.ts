/**
 * Confining paths to allowed roots. A path is resolved to its real location first (`..`
 * and every symbolic link, through `realpath`), then checked: a link inside a root that
 * points out of it is outside. The answer for a path outside the roots is the same whether
 * or not it exists, so the check cannot be used to probe the server's file system; for a
 * missing path, the deepest existing ancestor decides (a link to `/etc` inside a root does
 * not make `<root>/link/absent` a "missing" path inside the root).
 */
import { realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';

export type ConfinedPath =
  | { readonly ok: true; readonly path: string }
  /** `outside`: not inside any root, or not knowable without revealing what exists. */
  | { readonly ok: false; readonly reason: 'outside' | 'missing' };

/** One message for every path outside the roots, existing or not. */
export const OUTSIDE_ROOTS = 'refused: not inside an allowed advisory root';

const within = (path: string, root: string) =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

async function real(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/** The roots as real paths (a root that does not exist yet is taken as written). */
export async function realRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map(async (root) => (await real(resolve(root))) ?? resolve(root)));
}

/**
 * Where `path` really is, if that is inside one of `roots` (already real: see `realRoots`).
 * Relative paths resolve against the working directory.
 */
export async function confinePath(path: string, roots: readonly string[]): Promise<ConfinedPath> {
  const absolute = resolve(path);
  const resolved = await real(absolute);
  if (resolved !== undefined) {
    return roots.some((root) => within(resolved, root))
      ? { ok: true, path: resolved }
      : { ok: false, reason: 'outside' };
  }
  for (let ancestor = dirname(absolute); ; ancestor = dirname(ancestor)) {
    const existing = await real(ancestor);
    if (existing !== undefined) {
      const inside = roots.some((root) => within(existing, root));
      return { ok: false, reason: inside ? 'missing' : 'outside' };
    }
    if (dirname(ancestor) === ancestor) return { ok: false, reason: 'outside' };
  }
}
