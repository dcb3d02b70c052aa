/**
 * Rebuilds examples/ from the public data set (../shared/data or PATCHGATE_SHARED_DATA).
 * Needs `dpkg-deb` (Debian's dpkg) to unpack the .deb files. Run: npx tsx scripts/build-examples.ts
 *
 * examples/ holds what the README's run command scans, all real and small:
 * - debian-bookworm/dpkg-query.tsv: `dpkg-query -W` of a real Debian 12 host (723 packages);
 * - sbom/proton-bridge-v1.8.0.bom.json: CycloneDX SBOM of a real Go application;
 * - advisories/debian-12/: OSV records derived from the changelogs of the real curl and openssl
 *   Debian 12 packages (newer than the host's), by `patchgate advisories from-debian-changelog`;
 * - advisories/go/: the real Go vulnerability database records that name a module of the SBOM;
 * - almalinux-8/rpm-qa.txt: a real `rpm -qa` of a CentOS 8.5 host (the inventory package's test
 *   data), matched as AlmaLinux 8, its binary-compatible rebuild, as a host migrated to it is;
 * - advisories/almalinux-8/: the real AlmaLinux 8 errata (ALSA, ALBA, ALEA) naming its packages;
 * - cve5/: CISA's vulnrichment records (CNA CVSS, CISA ADP SSVC) of every CVE those name;
 * - kev/: CISA's KEV catalogue.
 * Together they give the demo organisation the facts a real deployment has for its CVEs, so
 * its priorities spread as they do in life (severity stated by AlmaLinux, CVSS, SSVC, KEV).
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readInventory } from '@patchgate/inventory';
import { readZip } from '@patchgate/safe-parse/node';
import { sharedData } from '@patchgate/testing';
import { changelogToOsv, parseDebianChangelog, releaseOfChangelog } from '@patchgate/sources';

const root = fileURLToPath(new URL('../', import.meta.url));
const shared = sharedData();
const examples = join(root, 'examples');

rmSync(examples, { recursive: true, force: true });
for (const dir of [
  'debian-bookworm',
  'sbom',
  'advisories/debian-12',
  'advisories/go',
  'advisories/almalinux-8',
  'almalinux-8',
  'cve5',
  'kev',
]) {
  mkdirSync(join(examples, dir), { recursive: true });
}

copyFileSync(
  join(shared, 'inventories/debian-bookworm-host/dpkg-query-W.tsv'),
  join(examples, 'debian-bookworm/dpkg-query.tsv'),
);
const sbomPath = join(examples, 'sbom/proton-bridge-v1.8.0.bom.json');
copyFileSync(
  join(shared, 'advisories/kev/known_exploited_vulnerabilities.json'),
  join(examples, 'kev/known_exploited_vulnerabilities.json'),
);
copyFileSync(join(shared, 'sboms/cyclonedx/proton-bridge/proton-bridge-v1.8.0.bom.json'), sbomPath);

// Debian 12: advisories from the changelogs of the newer curl and openssl packages.
const work = mkdtempSync(join(tmpdir(), 'patchgate-examples-'));
for (const [deb, pkg] of [
  ['curl_7.88.1-10+deb12u15_amd64.deb', 'curl'],
  ['openssl_3.0.22-1~deb12u2_amd64.deb', 'openssl'],
] as const) {
  const target = join(work, pkg);
  execFileSync('dpkg-deb', ['-x', join(shared, 'debs', deb), target]);
  const text = gunzipSync(
    readFileSync(join(target, `usr/share/doc/${pkg}/changelog.Debian.gz`)),
  ).toString('utf8');
  const { entries } = parseDebianChangelog(text);
  const ecosystem = releaseOfChangelog(entries);
  if (ecosystem === undefined) throw new Error(`${deb}: no release`);
  for (const record of changelogToOsv(entries, { ecosystem, origin: `${deb}:changelog.Debian.gz` })
    .records) {
    writeFileSync(
      join(examples, 'advisories/debian-12', `${record.id}.json`),
      JSON.stringify(record, null, 2) + '\n',
    );
  }
}
rmSync(work, { recursive: true, force: true });

// Go: every record of the real Go database that names a module the SBOM contains.
const sbom = readInventory({ path: sbomPath, text: readFileSync(sbomPath, 'utf8') });
if (!sbom.ok) throw new Error(sbom.error);
const modules = new Set(
  sbom.inventory.packages.filter((p) => p.ecosystem === 'Go').map((p) => p.name),
);
let kept = 0;
await readZip(join(shared, 'advisories/osv/Go/all.zip'), {
  wanted: (name) => name.endsWith('.json'),
  onEntry: (name, bytes) => {
    const text = bytes.toString('utf8');
    const record = JSON.parse(text) as { affected?: { package?: { name?: string } }[] };
    if (!(record.affected ?? []).some((a) => modules.has(a.package?.name ?? ''))) return;
    writeFileSync(join(examples, 'advisories/go', name.split('/').pop() as string), text); // unchanged
    kept++;
  },
});
// AlmaLinux 8: every erratum of the real AlmaLinux database naming a package of the host.
const rpmPath = join(examples, 'almalinux-8/rpm-qa.txt');
copyFileSync(join(root, 'packages/inventory/testdata/rpm-qa/centos-8.5-rpm-qa.txt'), rpmPath);
const rpmHost = readInventory({ path: rpmPath, text: readFileSync(rpmPath, 'utf8') });
if (!rpmHost.ok) throw new Error(rpmHost.error);
const rpmNames = new Set(rpmHost.inventory.packages.map((p) => p.name));
let almaKept = 0;
await readZip(join(shared, 'advisories/osv/AlmaLinux/all.zip'), {
  wanted: (name) => name.startsWith('almalinux8/') && name.endsWith('.json'),
  onEntry: (name, bytes) => {
    const text = bytes.toString('utf8');
    const record = JSON.parse(text) as { affected?: { package?: { name?: string } }[] };
    if (!(record.affected ?? []).some((a) => rpmNames.has(a.package?.name ?? ''))) return;
    // `ALSA-2023:5455.json` → `ALSA-2023-5455.json`: colons are awkward in file names.
    const file = (name.split('/').pop() as string).replace(':', '-');
    writeFileSync(join(examples, 'advisories/almalinux-8', file), text); // unchanged
    almaKept++;
  },
});

// CVE 5: the CISA vulnrichment records (CNA CVSS, CISA ADP SSVC) of every CVE the examples'
// advisories name, so that `--cve examples/cve5` shows real prioritisation inputs.
const exampleCves = new Set<string>();
for (const dir of ['advisories/debian-12', 'advisories/go', 'advisories/almalinux-8']) {
  for (const file of readdirSync(join(examples, dir))) {
    const record = JSON.parse(readFileSync(join(examples, dir, file), 'utf8')) as {
      aliases?: string[];
      related?: string[];
    };
    // Errata list the CVEs they fix in `related` (@patchgate/osv fixedCveIds).
    for (const alias of [...(record.aliases ?? []), ...(record.related ?? [])])
      if (alias.startsWith('CVE-')) exampleCves.add(alias);
  }
}
const unpacked = mkdtempSync(join(tmpdir(), 'patchgate-vulnrichment-'));
execFileSync('tar', [
  '-xJf',
  join(shared, 'advisories/cve5/vulnrichment-2023-2024.tar.xz'),
  '-C',
  unpacked,
]);
let cveRecords = 0;
for (const cve of [...exampleCves].sort()) {
  const [, year, number] = cve.split('-') as [string, string, string];
  const path = join(unpacked, year, `${number.slice(0, -3)}xxx`, `${cve}.json`);
  if (!existsSync(path)) continue;
  copyFileSync(path, join(examples, 'cve5', `${cve}.json`));
  cveRecords++;
}
rmSync(unpacked, { recursive: true, force: true });

writeFileSync(
  join(examples, 'SOURCES.md'),
  `# Sources and licences of the examples

Everything here is real public data, copied from the shared data set by
\`scripts/build-examples.ts\` (re-run it to rebuild this folder; do not edit by hand).

| path | what | source | licence |
|---|---|---|---|
| \`debian-bookworm/dpkg-query.tsv\` | \`dpkg-query -W\` (name, version, arch, source, source version, status) of a real Debian 12 host, 723 packages | shared data \`inventories/debian-bookworm-host/dpkg-query-W.tsv\` | package metadata published by Debian |
| \`sbom/proton-bridge-v1.8.0.bom.json\` | CycloneDX SBOM of Proton Mail Bridge 1.8.0 (a Go application) | shared data \`sboms/cyclonedx/proton-bridge/\` (CycloneDX/bom-examples) | CC0-1.0 |
| \`advisories/go/*.json\` | the ${kept} records of the Go vulnerability database that name a module of that SBOM, unchanged | golang/vulndb \`data/osv\` (shared data \`advisories/osv/Go/all.zip\`) | CC-BY-4.0 |
| \`kev/known_exploited_vulnerabilities.json\` | CISA's Known Exploited Vulnerabilities catalogue, 1,404 entries (catalogue 2025.08.25), unchanged | cisagov/kev-data (shared data \`advisories/kev/\`) | CC0-1.0 |
| \`cve5/*.json\` | the ${cveRecords} CVE JSON 5 records, among those the advisories above name, that CISA's vulnrichment holds (CNA CVSS, CISA ADP SSVC), unchanged | cisagov/vulnrichment (shared data \`advisories/cve5/\`) | CC0-1.0 |
| \`almalinux-8/rpm-qa.txt\` | real \`rpm -qa\` of a CentOS 8.5 host (49 packages), matched as AlmaLinux 8 (its binary-compatible rebuild) | \`packages/inventory/testdata/rpm-qa/centos-8.5-rpm-qa.txt\` (RedHatInsights/insights-puptoo, see its SOURCES.md) | Apache-2.0 as RedHatInsights publishes its projects, to be confirmed before release (see there) |
| \`advisories/almalinux-8/*.json\` | the ${almaKept} AlmaLinux 8 errata (ALSA security, ALBA bug-fix, ALEA enhancement) that name a package of that host, unchanged (\`:\` in file names replaced by \`-\`) | AlmaLinux/osv-database (shared data \`advisories/osv/AlmaLinux/all.zip\`) | MIT |
| \`advisories/debian-12/*.json\` | OSV records derived (by the converter behind \`patchgate advisories from-debian-changelog\`) from the \`changelog.Debian.gz\` of the Debian 12 packages curl 7.88.1-10+deb12u15 and openssl 3.0.22-1~deb12u2 | shared data \`debs/\` | derived from Debian package changelogs (curl licence; Apache-2.0) |
`,
);
process.stdout.write(
  `examples rebuilt: ${modules.size} Go modules in the SBOM, ${kept} Go advisories, ${almaKept} AlmaLinux errata, ${cveRecords} CVE records kept\n`,
);
