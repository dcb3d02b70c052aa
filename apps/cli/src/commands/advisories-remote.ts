/** `patchgate advisories sources|sync`: the server's advisory sources and their syncs. */
import type { PatchgateClient } from '@patchgate/api-client';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { pageFooter, writeTable } from '../remote/listing.ts';

export const advisoriesRemoteHelp = `  patchgate advisories sources [--server <url>] [--json]
  patchgate advisories add-source --name <name> --kind <kind> --path <path on the server>
                                  [--interval <seconds>] [--server <url>] [--json]
  patchgate advisories add-source --name <name> --kind <kind> --url <https URL>
                                  [--checksum-url <url>] [--interval <seconds>] [--server <url>] [--json]
  patchgate advisories catalogue [--server <url>] [--json]
  patchgate advisories enable <catalogue id>… [--interval <seconds>] [--no-sync] [--server <url>] [--json]
  patchgate advisories disable <catalogue id>… [--server <url>] [--json]
  patchgate advisories sync [<source name or id>…] [--wait] [--server <url>] [--json]

kinds: osv-directory, osv-file, osv-zip, kev, epss, cve5, nvd. sync queues a sync of each
named source (all of them when none is named); --wait follows the jobs to their end, with
their progress on standard error, and prints what each stored (read, new, updated,
unchanged, withdrawn, errors); exit 2 when one failed.
catalogue lists the public feeds the server knows (OSV per ecosystem, CISA KEV, FIRST EPSS,
CVE 5), all off until enabled: enable creates the feed's source with a daily (or --interval)
schedule and queues a first sync; disable stops its schedule. A URL's host must be allowed by
the server (the catalogue's hosts and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS).
`;

/** `86400` → `daily`, `604800` → `weekly`, else seconds. */
function interval(seconds: number | null): string {
  if (seconds === null) return 'on request';
  if (seconds === 86_400) return 'daily';
  if (seconds === 7 * 86_400) return 'weekly';
  return seconds % 3600 === 0 ? `every ${seconds / 3600} h` : `every ${seconds} s`;
}

const finished = new Set(['succeeded', 'failed', 'cancelled']);

interface FollowedJob {
  source: string;
  jobId: string;
  state: string;
  result?: unknown;
  error?: string | null;
}

/** "4,291 read: 4,291 new, 0 updated, 0 unchanged, 0 withdrawn, 2 errors" from a sync result. */
export function countsText(result: unknown): string {
  const counts = (result as { counts?: Record<string, number> } | null | undefined)?.counts;
  if (counts === undefined) return '';
  const n = (key: string) => (counts[key] ?? 0).toLocaleString('en');
  return `: ${n('read')} read: ${n('new')} new, ${n('updated')} updated, ${n('unchanged')} unchanged, ${n('withdrawn')} withdrawn, ${n('errors')} errors`;
}

/**
 * Poll the jobs until each has finished, reporting on standard error what each is doing
 * ("osv-go: running, stored 1,000 of 4,291") whenever it changes, at most once a second per
 * job (a terminal's line is rewritten in place).
 */
async function follow(
  client: PatchgateClient,
  server: string,
  jobs: FollowedJob[],
  io: CliIo,
): Promise<void> {
  const shown = new Map<string, { text: string; at: number }>();
  const tty = io.stderr.isTTY === true;
  for (;;) {
    let running = 0;
    for (const job of jobs) {
      if (finished.has(job.state)) continue;
      const current = expectOk(
        await reachable(server, () =>
          client.GET('/api/v1/jobs/{id}', { params: { path: { id: job.jobId } } }),
        ),
        'job status',
      );
      job.state = current.state;
      if (finished.has(current.state)) {
        job.result = current.result;
        job.error = current.error;
        continue;
      }
      running++;
      const progress = current.progress;
      const text = `${job.source}: ${current.state}${progress?.message !== undefined ? `, ${progress.message}` : ''}`;
      const last = shown.get(job.jobId);
      const now = io.now();
      if (last?.text !== text && (last === undefined || now - last.at >= 1000)) {
        shown.set(job.jobId, { text, at: now });
        io.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
      }
    }
    if (running === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (tty && shown.size > 0) io.stderr.write('\r\x1b[K');
}

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
    else {
      writeTable(
        io,
        ['name', 'kind', 'last sync', 'path'],
        list.sources.map((s) => [
          s.name,
          s.kind,
          s.lastSync === null ? 'never synced' : `${s.lastSync.state} ${s.lastSync.at}`,
          s.path,
        ]),
      );
      io.stdout.write(pageFooter('advisory sources', list.sources.length, {}));
    }
    return exitCodes.ok;
  }
  if (sub === 'add-source') {
    const { values } = parseCommandArgs('advisories add-source', rest, {
      server: { type: 'string' },
      name: { type: 'string' },
      kind: { type: 'string' },
      path: { type: 'string' },
      url: { type: 'string' },
      'checksum-url': { type: 'string' },
      interval: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (
      values.name === undefined ||
      values.kind === undefined ||
      (values.path === undefined) === (values.url === undefined)
    ) {
      throw new UsageError(
        'advisories add-source: --name, --kind and one of --path or --url are required',
      );
    }
    const { client, server } = remoteClient(io, values);
    const body = {
      name: values.name,
      kind: values.kind,
      ...(values.path !== undefined && { path: values.path }),
      ...(values.url !== undefined && { url: values.url }),
      ...(values['checksum-url'] !== undefined && { checksumUrl: values['checksum-url'] }),
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
    const jobs: FollowedJob[] = [];
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
    if (values.wait === true) await follow(client, server, jobs, io);
    if (values.json === true) io.stdout.write(JSON.stringify({ jobs }, null, 2) + '\n');
    else
      for (const job of jobs)
        io.stdout.write(
          `${job.source}: ${job.state}${countsText(job.result)} (job ${job.jobId})${job.error ? `: ${job.error}` : ''}\n`,
        );
    return jobs.some((j) => j.state === 'failed') ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'catalogue') {
    const { values } = parseCommandArgs('advisories catalogue', rest, {
      server: { type: 'string' },
      json: { type: 'boolean' },
    });
    const { client, server } = remoteClient(io, values);
    const list = expectOk(
      await reachable(server, () => client.GET('/api/v1/advisory-catalogue')),
      'catalogue',
    );
    if (values.json === true) io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    else {
      io.stdout.write(
        `${'ID'.padEnd(20)} ${'KIND'.padEnd(8)} ${'STATE'.padEnd(8)} ${'SYNC'.padEnd(8)} URL\n`,
      );
      for (const entry of list.entries) {
        const state = entry.sourceId === null ? 'off' : entry.enabled ? 'enabled' : 'disabled';
        io.stdout.write(
          `${entry.id.padEnd(20)} ${entry.kind.padEnd(8)} ${state.padEnd(8)} ${interval(entry.intervalSeconds).padEnd(8)} ${entry.url}\n`,
        );
      }
      io.stdout.write(
        `${list.entries.filter((e) => e.enabled).length} of ${list.entries.length} enabled; patchgate advisories enable <id> to add one\n`,
      );
    }
    return exitCodes.ok;
  }
  if (sub === 'enable' || sub === 'disable') {
    const { values, positionals } = parseCommandArgs(`advisories ${sub}`, rest, {
      server: { type: 'string' },
      interval: { type: 'string' },
      'no-sync': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0)
      throw new UsageError(
        `advisories ${sub}: name one or more catalogue ids (see patchgate advisories catalogue)`,
      );
    if (sub === 'disable' && (values.interval !== undefined || values['no-sync'] === true))
      throw new UsageError('advisories disable: --interval and --no-sync are for enable');
    if (values.interval !== undefined && !/^\d+$/.test(values.interval))
      throw new UsageError(`--interval "${values.interval}" is not a number of seconds`);
    const { client, server } = remoteClient(io, values);
    const results: unknown[] = [];
    for (const id of positionals) {
      if (sub === 'disable') {
        const source = expectOk(
          await reachable(server, () =>
            client.POST('/api/v1/advisory-catalogue/{id}/disable', {
              params: { path: { id } },
            }),
          ),
          `disabling ${id}`,
        );
        results.push(source);
        if (values.json !== true)
          io.stdout.write(`disabled ${id}: source ${source.name} keeps its data, no schedule\n`);
        continue;
      }
      const enabled = expectOk(
        await reachable(server, () =>
          client.POST('/api/v1/advisory-catalogue/{id}/enable', {
            params: { path: { id } },
            body: {
              sync: values['no-sync'] !== true,
              ...(values.interval !== undefined && { intervalSeconds: Number(values.interval) }),
            },
          }),
        ),
        `enabling ${id}`,
      );
      results.push(enabled);
      if (values.json !== true)
        io.stdout.write(
          `enabled ${id}: source ${enabled.source.name} (${enabled.source.kind}, ${interval(enabled.source.intervalSeconds)}, ${enabled.source.url ?? enabled.source.path})${enabled.jobId === null ? '' : `; first sync queued (job ${enabled.jobId})`}\n`,
        );
    }
    if (values.json === true) io.stdout.write(JSON.stringify({ results }, null, 2) + '\n');
    return exitCodes.ok;
  }
  throw new UsageError(`advisories: unknown subcommand "${sub}"`);
}
