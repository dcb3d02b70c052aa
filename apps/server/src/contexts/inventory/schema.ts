/**
 * The inventory API's schemas: strict for input (unknown keys rejected), every field described
 * (the OpenAPI document is generated from them). Schema and inferred type share a name.
 */
import type { InventoryFormatFamily } from '@patchgate/inventory';
import { inventoryFormatFamilies } from '@patchgate/inventory';
import { criticalities, environments, exposures } from '@patchgate/model';
import { z } from 'zod';

export const assetKinds = ['host', 'container-image', 'application'] as const;
export type AssetKind = (typeof assetKinds)[number];

/** The most assets one bulk import may carry. */
export const maxImportAssets = 10_000;
/** The most packages one JSON snapshot may carry. */
export const maxSnapshotPackages = 200_000;

const label = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s,][^,]*$/, 'must not start with whitespace or contain a comma');

const AssetName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^\S(.*\S)?$/, 'must not start or end with whitespace')
  .describe('unique name: a host name, an image reference, an application name');
const OsReleaseText = z
  .string()
  .max(100)
  .regex(/^[^:\s][^:]*:\S.*$/, 'must look like Debian:12, Ubuntu:22.04 or AlmaLinux:9')
  .describe('the OSV release when known, e.g. Debian:12, Ubuntu:22.04:LTS, AlmaLinux:9');

const assetFields = {
  kind: z.enum(assetKinds).describe('what the asset is'),
  osRelease: OsReleaseText.nullable(),
  environment: z.enum(environments).nullable().describe('deployment environment; null: unknown'),
  criticality: z.enum(criticalities).describe('business criticality'),
  exposure: z
    .enum(exposures)
    .describe('network exposure; unknown counts as exposed (CISA BOD 26-04 guidance)'),
  owner: z.string().min(1).max(200).nullable().describe('the team that owns the asset'),
  tags: z.array(label).max(100).describe('free labels, e.g. pci, web'),
  groups: z.array(label).max(100).describe('groups the asset belongs to, e.g. rollout waves'),
  maintenanceWindow: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .describe('reference to a maintenance window (free text until windows are modelled)'),
};

export const AssetCreate = z
  .strictObject({
    name: AssetName,
    kind: assetFields.kind.default('host'),
    osRelease: assetFields.osRelease.optional(),
    environment: assetFields.environment.optional(),
    criticality: assetFields.criticality.default('medium'),
    exposure: assetFields.exposure.default('unknown'),
    owner: assetFields.owner.optional(),
    tags: assetFields.tags.default([]),
    groups: assetFields.groups.default([]),
    maintenanceWindow: assetFields.maintenanceWindow.optional(),
  })
  .describe('A new asset; omitted fields take their defaults');
export type AssetCreate = z.infer<typeof AssetCreate>;

export const AssetUpdate = z
  .strictObject({
    name: AssetName.optional(),
    kind: assetFields.kind.optional(),
    osRelease: assetFields.osRelease.optional(),
    environment: assetFields.environment.optional(),
    criticality: assetFields.criticality.optional(),
    exposure: assetFields.exposure.optional(),
    owner: assetFields.owner.optional(),
    tags: assetFields.tags.optional(),
    groups: assetFields.groups.optional(),
    maintenanceWindow: assetFields.maintenanceWindow.optional(),
  })
  .describe('Fields to change; omitted fields stay, null clears a nullable field');
export type AssetUpdate = z.infer<typeof AssetUpdate>;

/** One entry of a bulk import: like a create, but omitted fields of an existing asset stay. */
export const AssetImportEntry = z
  .strictObject({
    name: AssetName,
    kind: assetFields.kind.optional(),
    osRelease: assetFields.osRelease.optional(),
    environment: assetFields.environment.optional(),
    criticality: assetFields.criticality.optional(),
    exposure: assetFields.exposure.optional(),
    owner: assetFields.owner.optional(),
    tags: assetFields.tags.optional(),
    groups: assetFields.groups.optional(),
    maintenanceWindow: assetFields.maintenanceWindow.optional(),
  })
  .describe('An asset to create or update, matched by name');
export type AssetImportEntry = z.infer<typeof AssetImportEntry>;

export const AssetImport = z
  .array(AssetImportEntry)
  .min(1)
  .max(maxImportAssets)
  .describe(`Assets to upsert by name, at most ${maxImportAssets}, in one transaction`);
export type AssetImport = z.infer<typeof AssetImport>;

export const AssetImportResult = z
  .object({
    created: z.number().int().describe('assets that did not exist'),
    updated: z.number().int().describe('existing assets that changed'),
    unchanged: z.number().int().describe('existing assets the import left as they were'),
  })
  .describe('What a bulk import did');
export type AssetImportResult = z.infer<typeof AssetImportResult>;

export const SnapshotSummary = z
  .object({
    id: z.string().describe('snapshot id'),
    seq: z.number().int().describe('1, 2, 3… per asset, in upload order'),
    takenAt: z.string().describe('when the inventory was taken, ISO 8601 UTC'),
    uploadedAt: z.string().describe('when it was uploaded, ISO 8601 UTC'),
    format: z.string().describe('parser id, e.g. dpkg-query, cyclonedx-json, or packages-json'),
    sourceName: z.string().describe('the file name given with the upload'),
    os: z
      .object({
        id: z.string().describe('os-release ID, e.g. debian'),
        versionId: z.string().optional().describe('os-release VERSION_ID'),
        ecosystem: z.string().optional().describe('OSV ecosystem with release, e.g. Debian:12'),
        evidence: z.string().describe('how the release was learned'),
      })
      .nullable()
      .describe('the operating system release applied to the packages'),
    packageCount: z.number().int().describe('packages in the snapshot'),
    warnings: z.array(z.string()).describe('entries that could not be read, and why'),
    packagesPruned: z
      .boolean()
      .describe('true when the package rows were pruned (only the latest snapshots keep them)'),
    rawSize: z.number().int().describe('bytes of the inventory text as received (gzip decoded)'),
    rawSha256: z.string().describe('SHA-256 of the inventory text as received (gzip decoded)'),
  })
  .describe('One inventory snapshot of an asset');
export type SnapshotSummary = z.infer<typeof SnapshotSummary>;

export const Asset = z
  .object({
    id: z.string().describe('asset id'),
    name: z.string().describe('unique name'),
    kind: z.enum(assetKinds).describe('what the asset is'),
    osRelease: z.string().nullable().describe('declared OSV release, e.g. Debian:12'),
    environment: z.enum(environments).nullable().describe('deployment environment'),
    criticality: z.enum(criticalities).describe('business criticality'),
    exposure: z.enum(exposures).describe('network exposure'),
    owner: z.string().nullable().describe('owning team'),
    tags: z.array(z.string()).describe('labels, sorted'),
    groups: z.array(z.string()).describe('groups, sorted'),
    maintenanceWindow: z.string().nullable().describe('maintenance window reference'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
    currentSnapshot: z
      .object({
        id: z.string().describe('snapshot id'),
        takenAt: z.string().describe('when the inventory was taken'),
        format: z.string().describe('parser id'),
        packageCount: z.number().int().describe('packages in it'),
      })
      .nullable()
      .describe('the newest inventory, or null before the first upload'),
  })
  .describe('An asset: a host, a container image or an application');
export type Asset = z.infer<typeof Asset>;

export const assetSorts = ['name', 'createdAt', 'updatedAt'] as const;
export type AssetSort = (typeof assetSorts)[number];

export const AssetListQuery = z.strictObject({
  environment: z.enum(environments).optional().describe('only this environment'),
  criticality: z.enum(criticalities).optional().describe('only this criticality'),
  exposure: z.enum(exposures).optional().describe('only this exposure'),
  kind: z.enum(assetKinds).optional().describe('only this kind'),
  owner: z.string().min(1).max(200).optional().describe('only assets of this owning team'),
  tag: label.optional().describe('only assets with this tag'),
  group: label.optional().describe('only assets in this group'),
  q: z.string().min(1).max(200).optional().describe('name contains this text (case-insensitive)'),
  sort: z.enum(assetSorts).default('name').describe('sort key; ties are broken by id'),
  order: z.enum(['asc', 'desc']).default('asc').describe('sort direction'),
  cursor: z.string().max(1000).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('page size, at most 500'),
});
export type AssetListQuery = z.infer<typeof AssetListQuery>;

export const AssetPage = z.object({
  assets: z.array(Asset).describe('this page'),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null at the end'),
  total: z
    .number()
    .int()
    .describe('assets matching the filters, on all pages (the cursor and limit aside)'),
});
export type AssetPage = z.infer<typeof AssetPage>;

/** An asset in a path: its id or its name (resolved after access control, asset-ref.ts). */
const assetRef = z.string().min(1).max(255).describe('asset id or name');
export const AssetParams = z.strictObject({
  id: assetRef,
});
export const SnapshotParams = z.strictObject({
  id: assetRef,
  snapshotId: z.uuid().describe('snapshot id'),
});

export const RawUploadQuery = z.strictObject({
  format: z
    .string()
    .min(1)
    .max(50)
    .optional()
    .describe('parser id (dpkg-query, rpm-qa, cyclonedx-json…); detected when omitted'),
  name: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'file name of the upload (Cargo.lock, requirements.txt…): helps detection; default the multipart file name, else "upload"',
    ),
  takenAt: z.iso.datetime().optional().describe('when the inventory was taken; default now'),
});
export type RawUploadQuery = z.infer<typeof RawUploadQuery>;

export const PackageInput = z.strictObject({
  ecosystem: z
    .string()
    .min(1)
    .max(100)
    .describe('OSV ecosystem, e.g. Debian:12, npm, PyPI; a bare distro gets the asset release'),
  name: z.string().min(1).max(500).describe('package name as installed'),
  version: z.string().min(1).max(200).describe('installed version, verbatim'),
  sourceName: z.string().min(1).max(500).optional().describe('distribution source package'),
  sourceVersion: z.string().min(1).max(200).optional().describe('source package version'),
  purl: z.string().min(1).max(2000).optional().describe('package URL'),
  arch: z.string().min(1).max(50).optional().describe('architecture, e.g. amd64'),
  epochUnknown: z.boolean().optional().describe('rpm: the source listed no epoch'),
  location: z.string().min(1).max(1000).optional().describe('where it was found'),
  direct: z.boolean().optional().describe('direct (true) or transitive (false) dependency'),
  dev: z.boolean().optional().describe('dev-only dependency'),
});
export type PackageInput = z.infer<typeof PackageInput>;

export const SnapshotUpload = z
  .strictObject({
    takenAt: z.iso.datetime().optional().describe('when the inventory was taken; default now'),
    os: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('OS release, e.g. Debian:12 or debian:12; default the asset osRelease'),
    source: z.string().min(1).max(255).default('packages.json').describe('a name for the source'),
    packages: z.array(PackageInput).max(maxSnapshotPackages).describe('the installed packages'),
  })
  .describe('An inventory as a JSON package list');
export type SnapshotUpload = z.infer<typeof SnapshotUpload>;

export const SnapshotListQuery = z.strictObject({
  beforeSeq: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('cursor: snapshots older than this seq'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size, at most 200'),
});
export type SnapshotListQuery = z.infer<typeof SnapshotListQuery>;

export const SnapshotPage = z.object({
  snapshots: z.array(SnapshotSummary).describe('newest first'),
  nextBeforeSeq: z.number().int().nullable().describe('pass as beforeSeq; null at the end'),
});

export const Package = z
  .object({
    ecosystem: z.string().describe('OSV ecosystem'),
    name: z.string().describe('package name'),
    version: z.string().describe('installed version'),
    sourceName: z.string().optional().describe('distribution source package'),
    sourceVersion: z.string().optional().describe('source package version'),
    purl: z.string().optional().describe('package URL'),
    arch: z.string().optional().describe('architecture'),
    epochUnknown: z.boolean().optional().describe('rpm: no epoch was listed'),
    location: z.string().optional().describe('where it was found'),
    direct: z.boolean().optional().describe('direct dependency'),
    dev: z.boolean().optional().describe('dev-only dependency'),
  })
  .describe('One installed package');
export type Package = z.infer<typeof Package>;

export const PackageListQuery = z.strictObject({
  ecosystem: z.string().min(1).max(100).optional().describe('only this exact ecosystem'),
  name: z.string().min(1).max(500).optional().describe('only this exact package name'),
  afterSeq: z.coerce.number().int().min(0).optional().describe('cursor: nextAfterSeq'),
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe('page size, at most 1000'),
});
export type PackageListQuery = z.infer<typeof PackageListQuery>;

export const PackagePage = z.object({
  packages: z.array(Package).describe('in the order of the upload'),
  nextAfterSeq: z.number().int().nullable().describe('pass as afterSeq; null at the end'),
});

export const DiffQuery = z.strictObject({
  from: z.uuid().optional().describe('older snapshot id; default the one before `to`'),
  to: z.uuid().optional().describe('newer snapshot id; default the current snapshot'),
});
export type DiffQuery = z.infer<typeof DiffQuery>;

export const changeDirections = ['upgraded', 'downgraded', 'equivalent', 'unknown'] as const;
export type ChangeDirection = (typeof changeDirections)[number];

export const PackageChange = z
  .object({
    ecosystem: z.string().describe('OSV ecosystem'),
    name: z.string().describe('package name'),
    arch: z.string().optional().describe('architecture'),
    from: z.string().describe('version in the older snapshot'),
    to: z.string().describe('version in the newer snapshot'),
    direction: z
      .enum(changeDirections)
      .describe(
        'by the ecosystem version scheme; equivalent: different text, same version; unknown: no scheme or unparseable',
      ),
  })
  .describe('A package whose version changed');
export type PackageChange = z.infer<typeof PackageChange>;

export const SnapshotDiff = z
  .object({
    from: z.string().nullable().describe('older snapshot id; null: the first upload, all added'),
    to: z.string().describe('newer snapshot id'),
    added: z.array(Package).describe('in `to` only'),
    removed: z.array(Package).describe('in `from` only'),
    changed: z.array(PackageChange).describe('same ecosystem, name and arch, another version'),
  })
  .describe('What changed between two snapshots, compared by ecosystem, name and arch');
export type SnapshotDiff = z.infer<typeof SnapshotDiff>;

export const inventoryFormatFamilyLabels: Record<InventoryFormatFamily, string> = {
  sbom: 'SBOM',
  lockfile: 'Lockfile',
  'package-list': 'Package list',
};

export const InventoryFormatInfo = z.object({
  id: z.string().describe('the parser id, as `?format=` of an upload names it'),
  label: z.string().describe('what it reads, in words'),
  family: z
    .enum(inventoryFormatFamilies)
    .describe('sbom, lockfile, or package-list (a package manager’s list)'),
  familyLabel: z.string().describe('the family in words: SBOM, Lockfile, Package list'),
  mediaTypes: z.array(z.string()).describe('the media types such a file usually has; a hint'),
  fileNames: z
    .array(z.string())
    .describe(
      'file names (`*` patterns, path endings) detection recognises; empty when it reads the content only',
    ),
  specUrls: z.array(z.string()).describe('the specification or tool documentation it follows'),
});
export type InventoryFormatInfo = z.infer<typeof InventoryFormatInfo>;

export const InventoryFormatList = z.object({
  items: z.array(InventoryFormatInfo).describe('every format an upload may be, SBOMs first'),
});
export type InventoryFormatList = z.infer<typeof InventoryFormatList>;
