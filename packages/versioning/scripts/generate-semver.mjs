#!/usr/bin/env node
// Generate packages/versioning/testdata/semver/generated-node-semver.txt.
//
// Needs: Node 20+, the `semver` package (devDependency, node_modules/semver), the `unzip`
// command, and the shared data (override the folder with SEMVER_DATA=...):
//   /work/shared/data/advisories/osv/crates.io/all.zip          (RustSec OSV, CC0-1.0)
//   /work/shared/data/lockfiles/NodeGoat/package-lock.json      (OWASP NodeGoat, Apache-2.0)
//   /work/shared/data/advisories/nodejs-security-wg/vuln/npm/   (Node.js Security WG, MIT)
// No network.
//
// Run:    node packages/versioning/scripts/generate-semver.mjs
// Writes: packages/versioning/testdata/semver/generated-node-semver.txt (`a < b` / `a = b`
//         lines, deterministic: fixed seed, sorted inputs) and checks that node-semver rejects
//         every line of testdata/semver/invalid.txt.
//
// Only strings that node-semver accepts in strict mode *as written* (no trimming, no loose
// mode) are used; others are dropped. Numeric pre-release identifiers of 16+ digits are left
// out because node-semver compares them through Number() and loses precision; the
// handwritten corpus covers them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const semver = require('semver');
const semverVersion = require('semver/package.json').version;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'testdata/semver/generated-node-semver.txt');
const invalidFile = join(root, 'testdata/semver/invalid.txt');
const data = process.env.SEMVER_DATA ?? '/work/shared/data';

const synthetic = `
0.0.0 0.0.1 0.1.0 1.0.0 1.0.1 1.1.0 1.9.0 1.10.0 1.11.0 2.0.0 10.0.0 9007199254740991.0.0
1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1
1.0.0-0 1.0.0-1 1.0.0-2 1.0.0-10 1.0.0-0.0 1.0.0-0.1 1.0.0-1.0 1.0.0-a 1.0.0-A 1.0.0-Z 1.0.0-z
1.0.0--1 1.0.0-- 1.0.0-0a 1.0.0-1a 1.0.0-a1 1.0.0-a-1 1.0.0-a.1.b 1.0.0-a.1.1 1.0.0-a.b.c
1.0.0-alpha.0 1.0.0-alpha.00a 1.0.0-alpha0 1.0.0-alpha9 1.0.0-alpha10 1.0.0-rc.1.2 1.0.0-x.7.z.92
1.0.0-999999999999999 1.0.0-100000000000000 1.0.0+build 1.0.0+build.1 1.0.0+0.build.1-rc.10000aaa
1.0.0-alpha+001 1.0.0+20130313144700 1.0.0-beta+exp.sha.5114f85 1.0.0+21AF26D3----117B344092BD
v1.0.0 v1.0.0-alpha v2.3.4+build 1.2.3-SNAPSHOT 1.2.3-RC1 1.2.3-rc1 1.2.3-pre.0 1.2.3-pre.1
1.2.3-next.20230101 1.2.3-canary.5 1.2.3-dev 1.2.3-DEV 1.2.3-0.3.7 1.2.3-beta.-1
`
  .split(/\s+/)
  .filter(Boolean);

const isValid = (v) =>
  v === v.trim() &&
  semver.valid(v) !== null &&
  (semver.prerelease(v) ?? []).every((id) => !/^\d{16,}$/.test(String(id)));

function fromCrates() {
  const zip = join(data, 'advisories/osv/crates.io/all.zip');
  const found = new Set();
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n.endsWith('.json'))
    .sort();
  for (const name of names) {
    const record = JSON.parse(execFileSync('unzip', ['-p', zip, name], { encoding: 'utf8' }));
    for (const affected of record.affected ?? []) {
      for (const range of affected.ranges ?? []) {
        for (const event of range.events ?? [])
          for (const v of Object.values(event)) found.add(String(v));
      }
      for (const v of affected.versions ?? []) found.add(String(v));
    }
  }
  return found;
}

function fromNodeGoat() {
  const lock = JSON.parse(readFileSync(join(data, 'lockfiles/NodeGoat/package-lock.json'), 'utf8'));
  const found = new Set();
  for (const entry of Object.values(lock.packages ?? {}))
    if (entry.version) found.add(entry.version);
  const walk = (deps) => {
    for (const dep of Object.values(deps ?? {})) {
      if (dep.version) found.add(dep.version);
      walk(dep.dependencies);
    }
  };
  walk(lock.dependencies);
  return found;
}

function fromSecurityWg() {
  const dir = join(data, 'advisories/nodejs-security-wg/vuln/npm');
  const found = new Set();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const advisory = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const ranges = `${advisory.vulnerable_versions ?? ''} ${advisory.patched_versions ?? ''}`;
    // Ranges such as "<=1.5.1 || >=2.0.0-beta.1 <2.0.3": take the version tokens.
    for (const token of ranges.match(/\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?/g) ??
      [])
      found.add(token);
  }
  return found;
}

// Deterministic PRNG (mulberry32) so that re-running gives the same file.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (!existsSync(data)) {
  console.error(`shared data not found at ${data} (set SEMVER_DATA)`);
  process.exit(1);
}
const sources = [fromCrates, fromNodeGoat, fromSecurityWg].map((f) => f());
const real = [...new Set(sources.flatMap((s) => [...s]))].filter(isValid).sort();
const synth = synthetic.filter(isValid).sort();
const everything = [...new Set([...real, ...synth])].sort(semver.compareBuild);
const rand = random(200);
const pick = (list) => list[Math.floor(rand() * list.length)];

const pairs = new Set();
const key = (a, b) => `${a}\u0000${b}`;
const orderedSynth = [...synth].sort(semver.compareBuild);
for (let i = 1; i < orderedSynth.length; i++) pairs.add(key(orderedSynth[i - 1], orderedSynth[i]));
for (let i = 1; i < everything.length; i++) pairs.add(key(everything[i - 1], everything[i]));
for (let i = 0; i < 900; i++) pairs.add(key(pick(real), pick(real)));
for (let i = 0; i < 500; i++) pairs.add(key(pick(real), pick(synth)));

const lines = new Set();
for (const pair of pairs) {
  let [a, b] = pair.split('\u0000');
  if (a === b) continue;
  let order = semver.compare(a, b);
  if (order > 0) [a, b, order] = [b, a, -order];
  lines.add(`${a} ${order < 0 ? '<' : '='} ${b}`);
}
const header = [
  `# Generated by packages/versioning/scripts/generate-semver.mjs with node-semver ${semverVersion}`,
  '# (semver.compare: build metadata ignored). Do not edit; re-run the script.',
  '# Versions: RustSec OSV records (CC0-1.0), OWASP NodeGoat package-lock (Apache-2.0),',
  '# Node.js Security WG npm advisories (MIT), plus synthetic edge cases.',
];
writeFileSync(out, [...header, ...[...lines].sort()].join('\n') + '\n');
console.log(
  `wrote ${lines.size} pairs from ${real.length} real and ${synth.length} synthetic versions to ${out}`,
);

if (existsSync(invalidFile)) {
  for (const line of readFileSync(invalidFile, 'utf8').split('\n')) {
    if (line && !line.startsWith('#') && semver.valid(line) !== null && line === line.trim()) {
      console.error(`invalid.txt: node-semver accepts ${JSON.stringify(line)}`);
    }
  }
}
