/**
 * `patchgate windows|freezes|calendar`: maintenance windows, change freezes and the change
 * calendar on a server (the calendar context's API; `calendar:read` to read, `calendar:manage`
 * to write). Rules and zones are checked by the server with @patchgate/calendar; durations
 * like `4h` and `90m` are read here with the same package.
 */
import { parseDuration } from '@patchgate/calendar';
import type { PatchgateClient } from '@patchgate/api-client';
import { parseSelector } from '@patchgate/model';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { writeTable } from '../remote/listing.ts';

export const windowsHelp = `Usage:
  patchgate windows add --name <text> --rrule <RRULE> --duration <4h|90m> --tz <IANA zone>
                        --assets <selector> [--cutoff <minutes|30m>] [--start <local date-time>]
                        [--server <url>] [--json]
  patchgate windows list [--server <url>] [--json]
  patchgate windows remove <window id or name> [--server <url>] [--json]

A maintenance window recurs by an RFC 5545 RRULE (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY with
INTERVAL, COUNT, UNTIL, BYDAY such as TU, 2TU or -1FR, BYMONTHDAY, BYMONTH, BYHOUR, BYMINUTE,
BYSETPOS, WKST) on the wall clock of --tz: "FREQ=WEEKLY;BYDAY=TU" with --start
2026-01-06T22:00 stays at 22:00 across daylight-saving changes. --start is the first
occurrence, local time without offset (default: today at 00:00; the time of day may also come
from BYHOUR/BYMINUTE). --cutoff: no new work starts within that long of the window's end.
--assets picks the assets: key=value[|value…] joined by commas, keys name, environment,
criticality, exposure, team, tag, group; "*" for every asset.

Example:
  patchgate windows add --name "web nightly" --rrule "FREQ=DAILY" --start 2026-01-01T22:00 \\
    --duration 4h --cutoff 30m --tz Europe/Berlin --assets "environment=production,group=web"
`;

export const freezesHelp = `Usage:
  patchgate freezes add --name <text> --start <ISO date-time> --end <ISO date-time>
                        [--allow-emergency] [--server <url>] [--json]
  patchgate freezes add --name <text> --rrule <RRULE> --tz <IANA zone> --duration <2d|8h>
                        [--start <local date-time>] [--except <date>]… [--allow-emergency]
                        [--server <url>] [--json]
  patchgate freezes list [--server <url>] [--json]
  patchgate freezes remove <freeze id or name> [--server <url>] [--json]

A change freeze (blackout) is one-off (--start and --end with a UTC offset, e.g.
2026-12-20T00:00:00Z) or recurring (--rrule in --tz, each occurrence --duration long, the first
at --start, local time). --except leaves out a local date (a holiday: 2026-12-24) or one
occurrence (2026-12-22T00:00); repeat it or join dates with commas. --allow-emergency lets an
emergency change override the freeze, with the extra approval its policy asks for.
`;

export const calendarHelp = `Usage:
  patchgate calendar show [--from <ISO date-time>] [--to <ISO date-time>] [--server <url>] [--json]
  patchgate calendar url [--server <url>] [--json]
  patchgate calendar revoke-url [--server <url>] [--json]

show lists window occurrences, freezes and scheduled changes from --from (default: now) to --to
(default: 30 days later; at most 366 days). url creates your calendar feed token (or replaces
the one you had) and prints the feed's address for calendar clients (iCalendar, RFC 5545); the
token in it is shown only now and grants reading the calendar only. revoke-url ends it.
`;

const common = {
  server: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0)
    throw new UsageError(`${command} takes no arguments (got ${positionals.join(' ')})`);
}

function minutesOf(option: string, value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new UsageError(`--${option}: ${parsed.error}`);
  return parsed.minutes;
}

function required<T>(command: string, values: Record<string, T | undefined>): Record<string, T> {
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined)
    .map(([k]) => `--${k}`);
  if (missing.length > 0) throw new UsageError(`${command}: ${missing.join(', ')} required`);
  return values as Record<string, T>;
}

const localToday = (io: CliIo): string => `${io.today()}T00:00`;

// ---- windows ---------------------------------------------------------------------------------

export async function windowsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(windowsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'add') return addWindow(rest, io);
  if (sub === 'list') return listWindows(rest, io);
  if (sub === 'remove') return removeWindow(rest, io);
  throw new UsageError(`windows: unknown subcommand "${sub}"\n\n${windowsHelp}`);
}

async function addWindow(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('windows add', args, {
    ...common,
    name: { type: 'string' },
    rrule: { type: 'string' },
    duration: { type: 'string' },
    tz: { type: 'string' },
    assets: { type: 'string' },
    cutoff: { type: 'string' },
    start: { type: 'string' },
  });
  noPositionals('windows add', positionals);
  const given = required('windows add', {
    name: values.name,
    rrule: values.rrule,
    duration: values.duration,
    tz: values.tz,
    assets: values.assets,
  });
  const selector = parseSelector(given.assets ?? '');
  if (!selector.ok) throw new UsageError(`--assets: ${selector.error}`);
  const body = {
    name: given.name ?? '',
    rrule: given.rrule ?? '',
    dtstart: values.start ?? localToday(io),
    timeZone: given.tz ?? '',
    durationMinutes: minutesOf('duration', given.duration ?? ''),
    cutoffMinutes: values.cutoff === undefined ? 0 : minutesOf('cutoff', values.cutoff),
    selector: selector.selector as never,
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () => client.POST('/api/v1/calendar/windows', { body })),
    'adding the window',
  );
  if (values.json === true) writeJson(io, created);
  else
    io.stdout.write(
      `window "${created.name}" (id ${created.id}): ${created.rrule} from ${created.dtstart} ${created.timeZone}, ` +
        `${created.durationMinutes} min, cutoff ${created.cutoffMinutes} min; ` +
        `${created.assets.length} asset${created.assets.length === 1 ? '' : 's'} (${created.selectorText})\n`,
    );
  return exitCodes.ok;
}

async function fetchWindows(client: PatchgateClient, server: string) {
  return expectOk(
    await reachable(server, () => client.GET('/api/v1/calendar/windows')),
    'listing the windows',
  ).windows;
}

async function listWindows(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('windows list', args, common);
  noPositionals('windows list', positionals);
  const { client, server } = remoteClient(io, values);
  const windows = await fetchWindows(client, server);
  if (values.json === true) {
    writeJson(io, { windows });
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'name', 'rule', 'first', 'zone', 'length', 'cutoff', 'assets', 'selector'],
    windows.map((w) => [
      w.id,
      w.name,
      w.rrule,
      w.dtstart,
      w.timeZone,
      `${w.durationMinutes}m`,
      `${w.cutoffMinutes}m`,
      String(w.assets.length),
      w.selectorText,
    ]),
  );
  io.stdout.write(`${windows.length} window${windows.length === 1 ? '' : 's'}\n`);
  return exitCodes.ok;
}

/** An id or a name, as everywhere else (one way to name a thing). */
function pick<T extends { id: string; name: string }>(
  items: readonly T[],
  wanted: string,
  what: string,
): T {
  const found = items.find((i) => i.id === wanted) ?? items.find((i) => i.name === wanted);
  if (found === undefined) throw new UsageError(`no ${what} with the id or name "${wanted}"`);
  return found;
}

async function removeWindow(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('windows remove', args, common);
  const [wanted, ...more] = positionals;
  if (wanted === undefined || more.length > 0)
    throw new UsageError('windows remove takes one window id or name');
  const { client, server } = remoteClient(io, values);
  const window = pick(await fetchWindows(client, server), wanted, 'maintenance window');
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/calendar/windows/{id}', { params: { path: { id: window.id } } }),
    ),
    'removing the window',
  );
  if (values.json === true) writeJson(io, { removed: window.id });
  else io.stdout.write(`removed window "${window.name}" (id ${window.id})\n`);
  return exitCodes.ok;
}

// ---- freezes ---------------------------------------------------------------------------------

export async function freezesCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(freezesHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'add') return addFreeze(rest, io);
  if (sub === 'list') return listFreezes(rest, io);
  if (sub === 'remove') return removeFreeze(rest, io);
  throw new UsageError(`freezes: unknown subcommand "${sub}"\n\n${freezesHelp}`);
}

async function addFreeze(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('freezes add', args, {
    ...common,
    name: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    'allow-emergency': { type: 'boolean' },
    rrule: { type: 'string' },
    tz: { type: 'string' },
    duration: { type: 'string' },
    except: { type: 'string', multiple: true },
  });
  noPositionals('freezes add', positionals);
  if (values.name === undefined) throw new UsageError('freezes add: --name required');
  const recurring =
    values.rrule !== undefined || values.tz !== undefined || values.duration !== undefined;
  const exdates = (values.except ?? [])
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  let body;
  if (recurring) {
    if (values.end !== undefined)
      throw new UsageError('freezes add: a recurring freeze (--rrule) takes --duration, not --end');
    const given = required('freezes add', {
      rrule: values.rrule,
      tz: values.tz,
      duration: values.duration,
    });
    body = {
      name: values.name,
      recurrence: {
        rrule: given.rrule ?? '',
        dtstart: values.start ?? localToday(io),
        timeZone: given.tz ?? '',
        durationMinutes: minutesOf('duration', given.duration ?? ''),
      },
      exdates,
      allowEmergency: values['allow-emergency'] === true,
    };
  } else {
    if (exdates.length > 0)
      throw new UsageError('freezes add: --except applies to a recurring freeze (--rrule)');
    const given = required('freezes add', { start: values.start, end: values.end });
    body = {
      name: values.name,
      start: given.start ?? '',
      end: given.end ?? '',
      allowEmergency: values['allow-emergency'] === true,
    };
  }
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () => client.POST('/api/v1/calendar/freezes', { body })),
    'adding the freeze',
  );
  if (values.json === true) writeJson(io, created);
  else io.stdout.write(`freeze "${created.name}" (id ${created.id}): ${describeFreeze(created)}\n`);
  return exitCodes.ok;
}

interface FreezeShape {
  start: string | null;
  end: string | null;
  recurrence: { rrule: string; dtstart: string; timeZone: string; durationMinutes: number } | null;
  exdates: string[];
  allowEmergency: boolean;
}

function describeFreeze(f: FreezeShape): string {
  const when =
    f.recurrence === null
      ? `${f.start ?? '?'} to ${f.end ?? '?'}`
      : `${f.recurrence.rrule} from ${f.recurrence.dtstart} ${f.recurrence.timeZone}, ${f.recurrence.durationMinutes} min each` +
        (f.exdates.length > 0 ? `, except ${f.exdates.join(', ')}` : '');
  return `${when}; ${f.allowEmergency ? 'emergency changes may override it' : 'no override'}`;
}

async function fetchFreezes(client: PatchgateClient, server: string) {
  return expectOk(
    await reachable(server, () => client.GET('/api/v1/calendar/freezes')),
    'listing the freezes',
  ).freezes;
}

async function listFreezes(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('freezes list', args, common);
  noPositionals('freezes list', positionals);
  const { client, server } = remoteClient(io, values);
  const freezes = await fetchFreezes(client, server);
  if (values.json === true) {
    writeJson(io, { freezes });
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'name', 'when'],
    freezes.map((f) => [f.id, f.name, describeFreeze(f)]),
  );
  io.stdout.write(`${freezes.length} freeze${freezes.length === 1 ? '' : 's'}\n`);
  return exitCodes.ok;
}

async function removeFreeze(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('freezes remove', args, common);
  const [wanted, ...more] = positionals;
  if (wanted === undefined || more.length > 0)
    throw new UsageError('freezes remove takes one freeze id or name');
  const { client, server } = remoteClient(io, values);
  const freeze = pick(await fetchFreezes(client, server), wanted, 'freeze');
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/calendar/freezes/{id}', { params: { path: { id: freeze.id } } }),
    ),
    'removing the freeze',
  );
  if (values.json === true) writeJson(io, { removed: freeze.id });
  else io.stdout.write(`removed freeze "${freeze.name}" (id ${freeze.id})\n`);
  return exitCodes.ok;
}

// ---- calendar --------------------------------------------------------------------------------

export async function calendarCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(calendarHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'show') return show(rest, io);
  if (sub === 'url') return url(rest, io);
  if (sub === 'revoke-url') return revokeUrl(rest, io);
  throw new UsageError(`calendar: unknown subcommand "${sub}"\n\n${calendarHelp}`);
}

async function show(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('calendar show', args, {
    ...common,
    from: { type: 'string' },
    to: { type: 'string' },
  });
  noPositionals('calendar show', positionals);
  const { client, server } = remoteClient(io, values);
  const view = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/calendar', {
        params: {
          query: {
            ...(values.from !== undefined && { from: values.from }),
            ...(values.to !== undefined && { to: values.to }),
          },
        },
      }),
    ),
    'reading the calendar',
  );
  if (values.json === true) {
    writeJson(io, view);
    return exitCodes.ok;
  }
  const rows = [
    ...view.windows.map((w) => ({
      start: w.start,
      row: ['window', w.start, w.end, w.name, `no new work after ${w.cutoffAt}`],
    })),
    ...view.freezes.map((f) => ({
      start: f.start,
      row: [
        'freeze',
        f.start,
        f.end,
        f.name,
        f.allowEmergency ? 'emergency override allowed' : 'no override',
      ],
    })),
    ...view.changes.map((c) => ({
      start: c.start,
      row: ['change', c.start, c.end, c.title, `${c.state}; ${c.assetNames.join(', ')}`],
    })),
  ].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  writeTable(
    io,
    ['kind', 'start', 'end', 'name', 'note'],
    rows.map((r) => r.row),
  );
  io.stdout.write(
    `${view.windows.length} window occurrences, ${view.freezes.length} freezes, ${view.changes.length} changes from ${view.from} to ${view.to}` +
      (view.truncated ? ' (some windows or freezes had more occurrences than listed)' : '') +
      '\n',
  );
  return exitCodes.ok;
}

async function url(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('calendar url', args, common);
  noPositionals('calendar url', positionals);
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () => client.POST('/api/v1/calendar/feed-token')),
    'creating the calendar feed token',
  );
  const feedUrl = `${server.replace(/\/+$/, '')}${created.path}`;
  if (values.json === true) writeJson(io, { url: feedUrl, createdAt: created.createdAt });
  else
    io.stdout.write(
      `${feedUrl}\n` +
        'subscribe to it in your calendar client; it is shown only now and any earlier feed address stopped working\n',
    );
  return exitCodes.ok;
}

async function revokeUrl(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('calendar revoke-url', args, common);
  noPositionals('calendar revoke-url', positionals);
  const { client, server } = remoteClient(io, values);
  expectOk(
    await reachable(server, () => client.DELETE('/api/v1/calendar/feed-token')),
    'revoking the calendar feed token',
  );
  if (values.json === true) writeJson(io, { revoked: true });
  else io.stdout.write('your calendar feed address no longer works\n');
  return exitCodes.ok;
}
