/**
 * A throwaway PostgreSQL cluster for the test suite, from the installed `initdb` and `pg_ctl`
 * (Debian's postgresql package), on a private Unix socket: no TCP port, no password, gone when
 * the run ends. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PostgresCluster {
  /** `postgres://postgres@localhost/postgres?host=<socket dir>` */
  readonly url: string;
  readonly dataDir: string;
  stop(): void;
}

/** Where initdb and pg_ctl are, or undefined when PostgreSQL is not installed. */
export function findPostgresBinaries(): string | undefined {
  const candidates = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`)
    : [];
  return [...candidates, '/usr/local/bin', '/usr/bin'].find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  );
}

function asPostgres(bin: string, args: string[]): void {
  const root = userInfo().uid === 0;
  const [command, argv] = root ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(command, argv, { stdio: 'pipe' });
}

export function startPostgresCluster(): PostgresCluster {
  const bin = findPostgresBinaries();
  if (bin === undefined) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found');
  const base = mkdtempSync(join(tmpdir(), 'patchgate-pg-'));
  const dataDir = join(base, 'data');
  const socketDir = join(base, 'socket');
  execFileSync('mkdir', ['-p', dataDir, socketDir]);
  chmodSync(base, 0o755);
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const path of [base, dataDir, socketDir]) chownSync(path, uid, gid);
  }
  asPostgres(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  asPostgres(join(bin, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    join(base, 'server.log'),
    '-o',
    `-k ${socketDir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    '-w',
    'start',
  ]);
  return {
    url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    dataDir,
    stop: () => {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
