/**
 * `patchgate server`: the system of record, on the embedded database by default (a SQLite
 * file in the data directory) or PostgreSQL (`--database-url` / PATCHGATE_DATABASE_URL).
 * Runs until SIGINT or SIGTERM, then shuts down gracefully. The server stack is imported here,
 * when the server starts, never by the other commands (docs/adr/0017-cli-lazy-commands.md).
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { builtWebRoot } from '../web-root.ts';

export const serverHelp = `Usage: patchgate server [options]

Starts the Patchgate server, bound to 127.0.0.1 unless told otherwise, and prints where.

Options:
      --host <address>       interface to listen on (PATCHGATE_HOST; default 127.0.0.1)
      --port <port>          port (PATCHGATE_PORT; default 7480; 0 picks a free one)
      --data-dir <dir>       where the embedded database lives (PATCHGATE_DATA_DIR;
                             default ./patchgate-data)
      --database-url <url>   postgres://… to use PostgreSQL instead (PATCHGATE_DATABASE_URL)
      --log-level <level>    fatal, error, warn, info (default), debug, trace, silent
      --advisory-root <dir>  a directory advisory sources may read from, besides
                             <data-dir>/advisories (repeatable; PATCHGATE_ADVISORY_ROOTS,
                             separated by ${delimiter}); the API cannot add one
      --policy <id|file>     the policy findings are prioritised by (PATCHGATE_POLICY):
                             default, bod-26-04, ssvc-deployer, pci-dss-4, fedramp-rev5,
                             or a YAML/JSON policy file
      --demo                 on an empty server: create an admin and a CAB (a change
                             manager, two approvers, an operator; passwords printed
                             once), demo assets with real inventories and real advisory
                             sources from examples/, synced in the background; the CLI is
                             logged in to it (examples/ becomes an advisory root); as root
                             with dpkg and apt, a lab of four agents in sandbox roots and a
                             change ready to roll out (PATCHGATE_DEMO_LAB=off: no lab)

First run: with PATCHGATE_ADMIN_PASSWORD (and optionally PATCHGATE_ADMIN_USERNAME, default
admin) set and no user yet, the first admin is created; otherwise POST /api/v1/bootstrap does it.

Notifications link to the changes at PATCHGATE_PUBLIC_URL, the address people reach the
server at (e.g. https://patchgate.example.org); unset, their links are relative and say so.

The web application: <address>/ (built by npm install into apps/web/dist; PATCHGATE_WEB_ROOT
serves another build). Interactive API documentation: <address>/docs; the OpenAPI document:
<address>/openapi.json.
`;

export interface ServerProcess {
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export async function serverCommand(
  args: string[],
  io: CliIo,
  processHooks: ServerProcess | undefined,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('server', args, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'log-level': { type: 'string' },
    demo: { type: 'boolean' },
    policy: { type: 'string' },
    'advisory-root': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(serverHelp);
    return exitCodes.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`server takes no arguments (got ${positionals.join(' ')})`);
  if (processHooks === undefined) throw new UsageError('server: needs a process to run in');
  const env: Record<string, string | undefined> = {
    ...processHooks.env,
    ...(values.host !== undefined && { PATCHGATE_HOST: values.host }),
    ...(values.port !== undefined && { PATCHGATE_PORT: values.port }),
    ...(values['data-dir'] !== undefined && { PATCHGATE_DATA_DIR: values['data-dir'] }),
    ...(values['database-url'] !== undefined && { PATCHGATE_DATABASE_URL: values['database-url'] }),
    ...(values['log-level'] !== undefined && { PATCHGATE_LOG_LEVEL: values['log-level'] }),
    ...(values.policy !== undefined && { PATCHGATE_POLICY: values.policy }),
  };
  env['PATCHGATE_WEB_ROOT'] ??= builtWebRoot;
  const { bootstrapAdmin, ConfigurationError, configFromEnv, startServer } =
    await import('@patchgate/server');
  // Roots add up: the environment's, the flags', and examples/ for the demo's sources.
  const roots = [
    ...(env['PATCHGATE_ADVISORY_ROOTS'] ?? '').split(delimiter),
    ...(values['advisory-root'] ?? []),
    ...(values.demo === true ? [(await import('../demo.ts')).examplesDir] : []),
  ].filter((root) => root !== '');
  if (roots.length > 0) env['PATCHGATE_ADVISORY_ROOTS'] = roots.join(delimiter);
  const configured = configFromEnv(env, io.cwd);
  if (!configured.ok)
    throw new UsageError(`invalid configuration:\n  ${configured.errors.join('\n  ')}`);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ config: configured.config });
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  const database = server.context.database;
  const adminPassword = env['PATCHGATE_ADMIN_PASSWORD'];
  if (adminPassword !== undefined && adminPassword !== '') {
    const username = env['PATCHGATE_ADMIN_USERNAME'] ?? 'admin';
    const result = await bootstrapAdmin(server.context, {
      username,
      password: adminPassword,
      displayName: 'Administrator',
    });
    if (result.status === 'invalid') {
      await server.close();
      throw new UsageError(
        `PATCHGATE_ADMIN_PASSWORD: ${result.problems.map((p) => p.message).join('; ')}`,
      );
    }
    if (result.status === 'created')
      io.stdout.write(`Created the first admin user "${username}"\n`);
  }
  io.stdout.write(
    `Patchgate server listening on ${server.url} (${database.dialect === 'sqlite' ? `SQLite ${database.location}` : `PostgreSQL ${database.location}`})\n` +
      `API documentation: ${server.url}/docs\n` +
      (configured.config.webRoot !== undefined &&
      existsSync(join(configured.config.webRoot, 'index.html'))
        ? `Web application: ${server.url}/\n`
        : `Web application: not built (no index.html in ${configured.config.webRoot ?? 'PATCHGATE_WEB_ROOT'}); "npm run build" builds it\n`),
  );
  let lab: { stop(): Promise<void> } | undefined;
  if (values.demo === true) {
    const { demoAssets, demoSources, seedDemo, startLabForDemo } = await import('../demo.ts');
    const { saveCredentials } = await import('../remote/credentials.ts');
    const demo = await seedDemo(server.url);
    // ~90 days of the demo organisation's past (findings, changes, reviews), before the
    // demo's own change takes the next number; seeded once, with the organisation.
    if (demo.created) {
      const { loadServerPolicy, seedDemoHistory } = await import('@patchgate/server');
      const history = await seedDemoHistory(server.context, {
        policy: loadServerPolicy(configured.config.policy),
      });
      if (history.added)
        io.stdout.write(
          `Demo history added: the past ${history.days} days of ${history.findings} findings (${history.exceptions} exceptions) and ${history.changes} changes with approvals and reviews, on the demo's assets and ${history.assets} hosts of its past, and ${history.snapshots} daily metric snapshots, audited as "demo history".\n`,
        );
    }
    // The lab (agents in sandbox roots, a change ready to roll out) builds in the background.
    if (env['PATCHGATE_DEMO_LAB'] !== 'off')
      lab = startLabForDemo(server.url, configured.config.dataDir, io, demo);
    if (!demo.created) {
      io.stdout.write('Demo: this server already has users; nothing was added\n');
    } else {
      if (demo.token !== undefined)
        saveCredentials(io, { server: server.url, token: demo.token, username: demo.username });
      io.stdout.write(
        `Demo organisation ready: ${demoAssets.length} assets with real inventories, ${demoSources.length} advisory sources syncing now.\n` +
          `  Open ${server.url}/ in a browser and log in with one of these:\n` +
          `  Log in as ${demo.username} with password ${demo.password} (shown only now).\n` +
          (demo.users ?? [])
            .map(
              (u) =>
                `  Log in as ${u.username} with password ${u.password} (shown only now): ${u.displayName}, ${u.job}.\n`,
            )
            .join('') +
          `  The CLI is logged in: try "npx patchgate findings list" or "npx patchgate audit verify".\n`,
      );
      // The demo's change waits for the findings the background sync produces.
      if (demo.token !== undefined) {
        const { seedDemoChange } = await import('../demo.ts');
        seedDemoChange(server.url, demo.token).then(
          (number) => {
            if (number !== undefined)
              io.stdout.write(
                `Demo change ${number} from web-01's P1/P2 findings awaits approval: "npx patchgate changes agenda".\n`,
              );
          },
          (error: unknown) => {
            io.stderr.write(`Demo change not created: ${(error as Error).message}\n`);
          },
        );
      }
    }
  }
  const signal = await processHooks.stopSignal;
  io.stderr.write(`patchgate: ${signal}: shutting down\n`);
  await lab?.stop();
  await server.close();
  return exitCodes.ok;
}
