// Builds the agent's Debian package: `npm run build:agent-deb` (ADR 0036).
//
// 1. esbuild bundles apps/agent/src/main.ts (and everything it imports: the protocol, zod, the
//    executors) into one CommonJS file;
// 2. Node's single executable applications turn it into one binary with the Node runtime
//    inside (`node --experimental-sea-config`, then postject injects the blob into a copy of
//    `node`): the host needs no nodejs package;
// 3. dpkg-deb --root-owner-group packs usr/bin/patchgate-agent, the systemd unit and
//    /etc/patchgate-agent/agent.env (a conffile) into dist/agent/patchgate-agent_<v>_<arch>.deb.
//
// Cached: the key is the bundle's bytes plus the packaging files, the Node version and the
// architecture; when dist/agent holds a .deb built from the same key nothing is rebuilt (the
// bundle takes well under a second, the SEA and the xz compression take the time).
// Prints one JSON line: { deb, bytes, executable, executableBytes, seconds, cached }.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const started = performance.now();
const packaging = fileURLToPath(new URL('.', import.meta.url));
const agentDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const outDir = process.env.PATCHGATE_AGENT_DEB_DIR ?? `${repoRoot}dist/agent`;
const work = `${outDir}/build`;
const force = process.argv.includes('--force');

const { version } = JSON.parse(readFileSync(`${agentDir}package.json`, 'utf8'));
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const debName = `patchgate-agent_${version}_${arch}.deb`;
const deb = `${outDir}/${debName}`;

mkdirSync(work, { recursive: true });

// 1. The bundle: one CommonJS file, no external module (a SEA's require() sees only built-ins).
const bundle = `${work}/patchgate-agent.cjs`;
await build({
  entryPoints: [`${agentDir}src/main.ts`],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'import.meta.url': 'undefined' },
});

const packagingFiles = [
  'patchgate-agent.service',
  'agent.env',
  'debian/postinst',
  'debian/prerm',
  'debian/postrm',
  'build-deb.mjs',
];
const hash = createHash('sha256');
hash.update(readFileSync(bundle));
for (const file of packagingFiles) hash.update(file).update(readFileSync(`${packaging}${file}`));
hash.update(process.version).update(arch).update(version);
const key = hash.digest('hex');
const stampFile = `${outDir}/.build-key`;

const report = (cached) => {
  const info = {
    deb,
    bytes: statSync(deb).size,
    // The single executable itself (what the .deb installs as /usr/bin/patchgate-agent).
    executable: `${work}/patchgate-agent`,
    executableBytes: existsSync(`${work}/patchgate-agent`)
      ? statSync(`${work}/patchgate-agent`).size
      : null,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    cached,
  };
  process.stdout.write(JSON.stringify(info) + '\n');
};

if (!force && existsSync(deb) && existsSync(stampFile)) {
  if (readFileSync(stampFile, 'utf8').trim() === `${key} ${debName}`) {
    report(true);
    process.exit(0);
  }
}

// 2. The single executable.
const blob = `${work}/sea-prep.blob`;
writeFileSync(
  `${work}/sea-config.json`,
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }),
);
// Quiet on success; a failure throws with the tool's own output.
execFileSync(process.execPath, ['--experimental-sea-config', `${work}/sea-config.json`], {
  stdio: 'pipe',
});
const executable = `${work}/patchgate-agent`;
rmSync(executable, { force: true });
copyFileSync(process.execPath, executable);
chmodSync(executable, 0o755);
execFileSync(
  process.execPath,
  [
    `${repoRoot}node_modules/postject/dist/cli.js`,
    executable,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  // postject warns about `.note.100` on Linux; harmless (node-single-executable notes).
  { stdio: 'pipe' },
);
const selfCheck = execFileSync(executable, ['version'], { encoding: 'utf8' });
if (!selfCheck.startsWith(`patchgate-agent ${version}`))
  throw new Error(`the single executable does not run: ${selfCheck}`);

// 3. The package tree.
const tree = `${work}/deb-root`;
rmSync(tree, { recursive: true, force: true });
const place = (from, to, mode) => {
  mkdirSync(`${tree}/${to.slice(0, to.lastIndexOf('/'))}`, { recursive: true });
  copyFileSync(from, `${tree}/${to}`);
  chmodSync(`${tree}/${to}`, mode);
};
place(executable, 'usr/bin/patchgate-agent', 0o755);
place(`${packaging}patchgate-agent.service`, 'lib/systemd/system/patchgate-agent.service', 0o644);
place(`${packaging}agent.env`, 'etc/patchgate-agent/agent.env', 0o600);
for (const script of ['postinst', 'prerm', 'postrm'])
  place(`${packaging}debian/${script}`, `DEBIAN/${script}`, 0o755);
writeFileSync(`${tree}/DEBIAN/conffiles`, '/etc/patchgate-agent/agent.env\n');
const installedKb = Math.ceil(
  (statSync(executable).size +
    statSync(`${packaging}patchgate-agent.service`).size +
    statSync(`${packaging}agent.env`).size) /
    1024,
);
writeFileSync(
  `${tree}/DEBIAN/control`,
  `Package: patchgate-agent
Version: ${version}
Architecture: ${arch}
Maintainer: Patchgate <patchgate@localhost>
Section: admin
Priority: optional
Installed-Size: ${installedKb}
Description: Patchgate host agent
 Enrols with a Patchgate server using a one-time token, long-polls for signed
 tasks, installs, verifies and rolls back exact package versions with apt, and
 reports inventory, available updates and heartbeats. A single executable with
 the Node.js ${process.version} runtime inside: it needs no nodejs package.
`,
);
rmSync(deb, { force: true });
// xz -6 (dpkg-deb's default): 100 MB → 24 MB in about 110 s here; -z3 gave 26.6 MB in 32 s.
execFileSync('dpkg-deb', ['--build', '--root-owner-group', '-Zxz', tree, deb], { stdio: 'pipe' });
writeFileSync(stampFile, `${key} ${debName}\n`);
report(false);
