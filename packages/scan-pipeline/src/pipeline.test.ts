/**
 * The scan pipeline on real data: the repository's examples (a Debian 12 host, a Go SBOM, their
 * advisories), the inventory formats' real samples, and — when present — the shared data set
 * (a Maven SBOM, the Debian 3.0–11 tracker advisories).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '@patchgate/inventory';
import { osReleaseFromFlag, readInventory } from '@patchgate/inventory';
import type { AdvisoryIndex } from '@patchgate/matcher';
import { buildAdvisoryIndex } from '@patchgate/matcher';
import { loadAdvisories } from '@patchgate/osv/node';
import { defaultPolicy } from '@patchgate/policy';
import type { ScanTarget } from './pipeline.ts';
import { runScanPipeline } from './pipeline.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const shared = process.env['PATCHGATE_SHARED_DATA'] ?? `${root}../../shared/data`;
const sharedPath = (path: string) => `${shared}/${path}`;

function inventory(path: string, absolute = false): Inventory {
  const file = absolute ? path : `${root}${path}`;
  const result = readInventory({ path, text: readFileSync(file, 'utf8') });
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

const indexes = new Map<string, Promise<AdvisoryIndex>>();
function advisories(...paths: string[]): Promise<AdvisoryIndex> {
  const key = paths.join('\0');
  let index = indexes.get(key);
  if (index === undefined) {
    index = loadAdvisories(paths).then((loaded) => buildAdvisoryIndex(loaded.records));
    indexes.set(key, index);
  }
  return index;
}
const examples = () => advisories(`${root}examples/advisories`);

async function scan(targets: ScanTarget[], index: AdvisoryIndex, audience?: 'cli' | 'server') {
  return runScanPipeline({
    targets,
    index,
    facts: new Map(),
    policy: defaultPolicy,
    assetFor: () => ({ exposure: 'unknown', tags: [] }),
    today: '2026-11-22',
    ...(audience !== undefined && { audience }),
  });
}

describe('coverage gaps, each on real data', () => {
  it.each([
    {
      what: 'an Alpine installed database without alpine-release',
      path: 'packages/inventory/testdata/apk-installed/syft-alpine-3.19-installed',
      expected: [
        {
          reason: 'no-os-release',
          ecosystem: 'Alpine',
          packages: 4,
          message:
            'no OS release detected: 4 packages of Alpine were not matched, because Alpine advisories are per release',
          fix: 'pass --os alpine:3.20 (or --os-release <os-release file>)',
        },
      ],
    },
    {
      what: 'an rpm list of unknown vendor',
      path: 'packages/inventory/testdata/rpm-qa/centos-8.5-rpm-qa.txt',
      expected: [
        expect.objectContaining({
          reason: 'no-os-release',
          ecosystem: 'Red Hat',
          packages: 49,
          fix: 'pass --os almalinux:9 (or --os-release <os-release file>)',
        }),
      ],
    },
    {
      what: 'an npm lockfile without npm advisories',
      path: 'packages/inventory/testdata/npm-package-lock/npm11-lockfile-v3-package-lock.json',
      expected: [
        {
          reason: 'no-advisories-for-ecosystem',
          ecosystem: 'npm',
          packages: 37,
          message: 'no advisories loaded for ecosystem npm: 37 packages could not be matched',
          fix: "add --advisories <npm/all.zip> (OSV's export of the npm ecosystem)",
        },
      ],
    },
    {
      what: 'a Debian 10 image against Debian 12 advisories (and Ruby gems without RubyGems data)',
      path: 'packages/inventory/testdata/cyclonedx-json/trivy-fluentd-1.5.cdx.json',
      expected: [
        {
          reason: 'no-advisories-for-release',
          ecosystem: 'Debian:10',
          packages: 2,
          message:
            'advisories cover Debian 12, this inventory is Debian 10: 2 packages could not be matched',
          fix: "add --advisories with Debian 10 records (OSV's Debian/all.zip holds every release)",
        },
        expect.objectContaining({ reason: 'no-advisories-for-ecosystem', ecosystem: 'RubyGems' }),
      ],
    },
  ])('$what', async ({ path, expected }) => {
    const result = await scan([{ inventory: inventory(path) }], await examples());
    const withInventory = (note: unknown): unknown =>
      typeof note === 'object' && note !== null && 'message' in note
        ? { inventory: path, ...note }
        : note;
    expect(result.coverage).toEqual((expected as unknown[]).map(withInventory));
  });

  it('has no gap for what the loaded advisories cover (the examples against their own data)', async () => {
    const result = await scan(
      [
        { inventory: inventory('examples/debian-bookworm/dpkg-query.tsv') },
        { inventory: inventory('examples/sbom/proton-bridge-v1.8.0.bom.json') },
      ],
      await examples(),
    );
    expect(result.coverage).toEqual([]);
    expect(result.findings).toHaveLength(149);
  });

  it('words the fix for the server when asked', async () => {
    const result = await scan(
      [
        {
          inventory: inventory(
            'packages/inventory/testdata/apk-installed/syft-alpine-3.19-installed',
          ),
        },
      ],
      await examples(),
      'server',
    );
    expect(result.coverage.map((n) => n.fix)).toEqual([
      "set the asset's osRelease (e.g. Alpine:v3.20) or upload an inventory that states it",
    ]);
  });

  const debianTracker = sharedPath('advisories/osv/Debian-derived-2023/all.zip');
  it.skipIf(!existsSync(debianTracker))(
    'a Debian 12 host against Debian 3.0–11 tracker data (shared data set)',
    async () => {
      const result = await scan(
        [{ inventory: inventory('examples/debian-bookworm/dpkg-query.tsv') }],
        await advisories(debianTracker),
      );
      expect(result.findings).toEqual([]);
      expect(result.coverage).toEqual([
        expect.objectContaining({
          reason: 'no-advisories-for-release',
          ecosystem: 'Debian:12',
          packages: 723,
          message:
            'advisories cover Debian 3.0–11, this inventory is Debian 12: 723 packages could not be matched',
        }),
      ]);
    },
  );
  if (!existsSync(debianTracker))
    console.warn(`skipped: the Debian tracker advisories are absent (${debianTracker})`);

  const mavenSbom = sharedPath('sboms/cyclonedx/dropwizard-1.3.15/bom.json');
  it.skipIf(!existsSync(mavenSbom))(
    'a Maven SBOM against Debian and Go data (shared data set)',
    async () => {
      const result = await scan([{ inventory: inventory(mavenSbom, true) }], await examples());
      expect(result.coverage).toEqual([
        expect.objectContaining({
          reason: 'no-advisories-for-ecosystem',
          ecosystem: 'Maven',
          fix: "add --advisories <Maven/all.zip> (OSV's export of the Maven ecosystem)",
        }),
      ]);
    },
  );
  if (!existsSync(mavenSbom)) console.warn(`skipped: the Maven SBOM is absent (${mavenSbom})`);
});

describe('the OS release, settled one way', () => {
  const host = 'examples/debian-bookworm/dpkg-query.tsv';
  const debian = (flag: string, evidence: string) => ({ ...osReleaseFromFlag(flag)!, evidence });

  it('matches under a stated release over a detected one, and says so', async () => {
    const result = await scan(
      [{ inventory: inventory(host), statedOs: debian('debian:11', '--os debian:11') }],
      await examples(),
    );
    expect(result.inventories[0]?.release.from).toBe('stated');
    expect(result.findings).toEqual([]);
    expect(result.notes).toContainEqual({
      kind: 'release-conflict',
      inventory: host,
      count: 1,
      message: expect.stringMatching(
        /^the inventory shows Debian:12 \(base-files .*\); matched as Debian:11 \(--os debian:11\)$/,
      ) as unknown,
    });
    expect(result.coverage).toEqual([
      expect.objectContaining({ reason: 'no-advisories-for-release', ecosystem: 'Debian:11' }),
    ]);
  });

  it("keeps a detected release over the asset's declared one, and says so", async () => {
    const result = await scan(
      [
        {
          inventory: inventory(host),
          declaredOs: debian('debian:11', 'asset osRelease Debian:11'),
        },
      ],
      await examples(),
    );
    expect(result.inventories[0]?.release.from).toBe('detected');
    expect(result.findings).toHaveLength(91);
    expect(result.notes.map((n) => n.message)).toEqual([
      expect.stringMatching(
        /^the asset's osRelease is Debian:11 but the inventory shows Debian:12/,
      ) as unknown,
    ]);
  });

  it("fills in the asset's declared release when the inventory shows none", async () => {
    const alpine = 'packages/inventory/testdata/apk-installed/syft-alpine-3.19-installed';
    const result = await scan(
      [
        {
          inventory: inventory(alpine),
          declaredOs: { ...osReleaseFromFlag('alpine:3.19')!, evidence: 'asset' },
        },
      ],
      await examples(),
    );
    expect(result.inventories[0]?.release.from).toBe('declared');
    expect(result.inventories[0]?.inventory.packages.map((p) => p.ecosystem)).toEqual(
      Array(4).fill('Alpine:v3.19'),
    );
    // Released now, but no Alpine data was loaded: the gap says that instead.
    expect(result.coverage.map((n) => n.reason)).toEqual(['no-advisories-for-ecosystem']);
  });
});
