/**
 * Naming an asset: everywhere a user types an asset (API paths and filters, the CLI), an id
 * or a name works. Names are unique (the `assets_name` index); an id wins over a name that
 * happens to look like it. An unknown reference is an error the caller reports, never an
 * empty result ("0 findings" for a typo is a silent lie).
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/database.ts';
import { NotFoundError } from '../../http/problems.ts';

export interface AssetRef {
  readonly id: string;
  readonly name: string;
}

/** The asset an id or a name refers to, or undefined. */
export async function resolveAssetRef(
  database: Database,
  ref: string,
): Promise<AssetRef | undefined> {
  const rows = await database.db
    .selectFrom('assets')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .execute();
  return rows.find((row) => row.id === ref) ?? rows[0];
}

/** What an unknown reference is called in errors: `The asset "web-02" (name or id)`. */
export function unknownAsset(ref: string): string {
  return `The asset "${ref}" (name or id)`;
}

/**
 * Routes under `/api/v1/assets/:id…` take a name as well as an id: after access control (a
 * caller without permission learns nothing about which names exist), the `id` path parameter
 * is replaced by the id it names, so the handlers below see ids only. Unknown → 404.
 */
export function registerAssetRefResolution(app: FastifyInstance, database: Database): void {
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.url?.startsWith('/api/v1/assets/:id') !== true) return;
    const params = request.params as { id?: unknown };
    if (typeof params.id !== 'string') return;
    const asset = await resolveAssetRef(database, params.id);
    if (asset === undefined) throw new NotFoundError(unknownAsset(params.id));
    params.id = asset.id;
  });
}
