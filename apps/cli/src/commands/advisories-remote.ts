/** `patchgate advisories sources|sync`: the server's advisory sources and their syncs. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export const advisoriesRemoteHelp = `  patchgate advisories sources [--server <url>] [--json]
  patchgate advisories add-source --name <name> --kind <kind> --path <path on the server>
                                  [--interval <seconds>] [--server <url>] [--json]
  patchgate advisories sync [<source name or id>…] [--wait] [--server <url>] [--json]

kinds: osv-directory, osv-file, osv-zip, kev, epss, cve5, nvd. sync queues a sync of each
named source (all of them when none is named); --wait follows the jobs to their end.
`;

const finished = new Set(['succeeded', 'failed', 'cancelled']);

export async function advisoriesRemoteCommand(
  sub: string,
  rest: string[],
  io: CliIo,
): Promise<ExitCode> {
  if (sub === 'sources') {
    const { values } = parseCommandArgs('advisories sources', rest, {
      server: { type: 'string' },
      json: { type: 'boolean' },
    });
    const { client, server } = remoteClient(io, values);
    const list = expectOk(
      await reachable(server, () => client.GET('/api/v1/advisory-sources')),
      'source list',
    );
    if (values.json === true) io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    else
      for (const s of list.sources)
        io.stdout.write(
          `${s.name.padEnd(30)} ${s.kind.padEnd(14)} ${s.lastSync === null ? 'never synced' : `${s.lastSync.state} ${s.lastSync.at}`}  ${s.path}\n`,
        );
    return exitCodes.ok;
  }
  if (sub === 'add-source') {
    const { values } = parseCommandArgs('advisories add-source', rest, {
      server: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      path: { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.name === undefined || values.kind === undefined || values.path === undefined) {
      throw new UsageError('advisories add-source: --name, --kind and --path are required');
    }
    const { client, server } = remoteClient(io, values);
    const body = {
      name: values.name,
      kind: values.kind,
      path: values.path,
      ...(values.interval !== undefined && { intervalSeconds: Number(values.interval) }),
    };
    const created = expectOk(
      await reachable(server, () =>
        client.POST('/api/v1/advisory-sources', { body: body as never }),
      ),
      'adding the source',
    );
    if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
    else
      io.stdout.write(
        `added source ${created.name} (${created.kind}, ${created.path}), id ${created.id}\n`,
      );
    return exitCodes.ok;
  }
  if (sub === 'sync') {
    const { values, positionals } = parseCommandArgs('advisories sync', rest, {
      server: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const { client, server } = remoteClient(io, values);
    const list = expectOk(
      await reachable(server, () => client.GET('/api/v1/advisory-sources')),
      'source list',
    );
    const chosen =
      positionals.length === 0
        ? list.sources
        : positionals.map((wanted) => {
            const source = list.sources.find((s) => s.id === wanted || s.name === wanted);
            if (source === undefined)
              throw new UsageError(
                `no advisory source named "${wanted}" (see patchgate advisories sources)`,
              );
            return source;
          });
    if (chosen.length === 0)
      throw new UsageError('no advisory sources configured (patchgate advisories add-source)');
    const jobs: {
      source: string;
      jobId: string;
      state: string;
      result?: unknown;
      error?: string | null;
    }[] = [];
    for (const source of chosen) {
      const requested = expectOk(
        await reachable(server, () =>
          client.POST('/api/v1/advisory-sources/{id}/sync', {
            params: { path: { id: source.id } },
          }),
        ),
        `sync of ${source.name}`,
      );
      jobs.push({ source: source.name, jobId: requested.jobId, state: 'queued' });
    }
    if (values.wait === true) {
      for (const job of jobs) {
        for (;;) {
          const current = expectOk(
            await client.GET('/api/v1/jobs/{id}', { params: { path: { id: job.jobId } } }),
            'job status',
          );
          job.state = current.state;
          if (finished.has(current.state)) {
            job.result = current.result;
            job.error = current.error;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
    if (values.json === true) io.stdout.write(JSON.stringify({ jobs }, null, 2) + '\n');
    else
      for (const job of jobs)
        io.stdout.write(
          `${job.source}: ${job.state} (job ${job.jobId})${job.error ? `: ${job.error}` : ''}\n`,
        );
    return jobs.some((j) => j.state === 'failed') ? exitCodes.usage : exitCodes.ok;
  }
  throw new UsageError(`advisories: unknown subcommand "${sub}"`);
}
