/**
 * Asset context for standalone scans: a flag (`exposure=internet,environment=production`) or
 * a file mapping inventories to assets. The server will supply the same shape from its
 * inventory; this is the CLI's stand-in.
 *
 *   # assets.yaml
 *   default: { exposure: unknown }
 *   assets:
 *     - inventory: "hosts/web-*"      # glob over the inventory path as given on the command line
 *       name: web-01
 *       environment: production
 *       criticality: high
 *       exposure: internet
 *       owner: team-web
 *       tags: [pci]
 */
import type { AssetContext } from '@patchgate/policy';
import { criticalities, environments, exposures } from '@patchgate/policy';
import { parseYaml } from '@patchgate/safe-parse';
import { z } from 'zod';

const contextFields = {
  name: z.string().min(1).optional().describe('asset name shown in reports'),
  environment: z.enum(environments).optional().describe('deployment environment'),
  criticality: z.enum(criticalities).optional().describe('business criticality'),
  exposure: z.enum(exposures).optional().describe('internet exposure; unknown counts as exposed'),
  owner: z.string().min(1).optional().describe('owning team'),
  tags: z.array(z.string().min(1)).optional().describe('free-form tags'),
};

const AssetEntry = z.strictObject({
  inventory: z.string().min(1).describe('glob matched against the inventory path'),
  ...contextFields,
});

export const AssetContextFile = z.strictObject({
  default: z.strictObject(contextFields).optional(),
  assets: z.array(AssetEntry).default([]),
});
export type AssetContextFile = z.infer<typeof AssetContextFile>;

export type AssetContextResult =
  { ok: true; assetFor: (inventory: string) => AssetContext } | { ok: false; errors: string[] };

type Fields = z.infer<ReturnType<typeof z.strictObject<typeof contextFields>>>;

function toContext(fields: Fields | undefined, fallback?: AssetContext): AssetContext {
  return {
    exposure: fields?.exposure ?? fallback?.exposure ?? 'unknown',
    tags: fields?.tags ?? fallback?.tags ?? [],
    ...((fields?.name ?? fallback?.name) !== undefined && { name: fields?.name ?? fallback?.name }),
    ...((fields?.environment ?? fallback?.environment) !== undefined && {
      environment: fields?.environment ?? fallback?.environment,
    }),
    ...((fields?.criticality ?? fallback?.criticality) !== undefined && {
      criticality: fields?.criticality ?? fallback?.criticality,
    }),
    ...((fields?.owner ?? fallback?.owner) !== undefined && {
      owner: fields?.owner ?? fallback?.owner,
    }),
  };
}

/** `*` any run of characters but `/`, `**` any run, `?` one character. */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i++;
    } else if (c === '*') pattern += '[^/]*';
    else if (c === '?') pattern += '[^/]';
    else pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
      )
      .join('');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}

/** Read an asset-context file (YAML or JSON). */
export function parseAssetContextFile(text: string): AssetContextResult {
  const read = parseYaml(text);
  if (!read.ok) return { ok: false, errors: [`not YAML or JSON: ${read.error}`] };
  const raw = read.value;
  const parsed = AssetContextFile.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, errors: issues(parsed.error) };
  const fallback = toContext(parsed.data.default);
  const entries = parsed.data.assets.map((entry) => ({
    pattern: globToRegExp(entry.inventory),
    context: toContext(entry, fallback),
  }));
  return {
    ok: true,
    assetFor: (inventory) => entries.find((e) => e.pattern.test(inventory))?.context ?? fallback,
  };
}

/** Read `key=value,key=value` (tags separated by `+`: `tags=pci+web`). Applies to every inventory. */
export function parseAssetContextFlag(value: string): AssetContextResult {
  const fields: Record<string, unknown> = {};
  for (const pair of value.split(',').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, errors: [`"${pair}": expected key=value`] };
    const key = pair.slice(0, eq).trim();
    const val = pair.slice(eq + 1).trim();
    fields[key] = key === 'tags' ? val.split('+').filter((t) => t !== '') : val;
  }
  const parsed = z.strictObject(contextFields).safeParse(fields);
  if (!parsed.success) return { ok: false, errors: issues(parsed.error) };
  const context = toContext(parsed.data);
  return { ok: true, assetFor: () => context };
}
