/**
 * `patchgate notifications …`: channels (signed webhook, Slack, Teams, SMTP e-mail),
 * subscriptions, contacts, templates and the delivery log of a server (notifications:manage).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';

export const notificationsHelp = `Usage:
  patchgate notifications channels [list] [--server <url>] [--json]
  patchgate notifications channels add --name <name> --kind webhook|slack|teams|email
        webhook:      --url <http(s) url> --secret-env <VAR>   (signing secret from $VAR)
        slack, teams: --url <incoming webhook url>
        email:        --host <smtp host> --port <n> --security starttls|starttls-opportunistic|none|tls
                      --from <address> [--username <user> --password-env <VAR>] [--ca-file <pem>]
        [--disabled] [--server <url>] [--json]
  patchgate notifications channels remove <name or id> [--server <url>] [--json]
  patchgate notifications channels test <name or id> [--to <address>] [--server <url>] [--json]
  patchgate notifications subscribe --name <name> --channel <channel> --audience <audience>
        [--value <asset group or address>] --events <event,…> [--digest none|daily|weekly]
        [--digest-hour <0-23>] [--weekday <1-7>] [--tz <IANA zone>] [--quiet <HH:MM-HH:MM>]
        [--server <url>] [--json]
  patchgate notifications unsubscribe <name or id> [--server <url>] [--json]
  patchgate notifications subscriptions [--server <url>] [--json]
  patchgate notifications contacts [list] [--server <url>] [--json]
  patchgate notifications contacts add --kind user|team|asset-group|role --key <key>
        --address <e-mail> [--server <url>] [--json]
  patchgate notifications contacts remove <contact id> [--server <url>] [--json]
  patchgate notifications deliveries [list] [--status pending|held|digest|digested|sent|failed]
        [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate notifications deliveries show <delivery id> [--server <url>] [--json]
  patchgate notifications deliveries retry <delivery id> [--server <url>] [--json]
  patchgate notifications templates [list] [--server <url>] [--json]
  patchgate notifications templates set <event> --subject <text> --body-file <file>
        [--server <url>] [--json]
  patchgate notifications templates reset <event> [--server <url>] [--json]

Audiences: cab, approvers (the change's pending approvers), service-owners (owner teams of its
assets), operators, asset-group (--value: its end users), address (--value: the address).
E-mail recipients come from contacts (user id, owner team, asset group, or role cab/operators).
Events: submitted, approval-needed, approval-progress (each approving decision), approved (once,
when every stage has approved), rejected, scheduled, starting, completed, failed, rolled-back,
review-due, finding-due-soon, finding-overdue; rollouts: rollout.started,
rollout.wave-completed, rollout.paused (a decision is needed), rollout.halted, rollout.completed,
rollout.rolled-back.
Secrets are never given on the command line (they would show in the process list): the
webhook signing secret and the SMTP password are read from the environment variable you name.
The server never returns them. Everything here needs notifications:manage (exit 4 without it).
`;

export async function notificationsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(notificationsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  switch (sub) {
    case 'channels':
      return channels(rest, io);
    case 'subscribe':
      return subscribe(rest, io);
    case 'unsubscribe':
      return unsubscribe(rest, io);
    case 'subscriptions':
      return subscriptions(rest, io);
    case 'contacts':
      return contacts(rest, io);
    case 'deliveries':
      return deliveries(rest, io);
    case 'templates':
      return templates(rest, io);
    default:
      throw new UsageError(`notifications: unknown subcommand "${sub}"\n\n${notificationsHelp}`);
  }
}

const common = { server: { type: 'string' }, json: { type: 'boolean' } } as const;

function writeJson(io: CliIo, value: unknown): ExitCode {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  return exitCodes.ok;
}

/** `list` is the default action of a noun: `channels` = `channels list`. */
function action(rest: string[], actions: readonly string[]): [string, string[]] {
  const [first, ...others] = rest;
  if (first !== undefined && actions.includes(first)) return [first, others];
  return ['list', rest];
}

function secretFromEnv(io: CliIo, option: string, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = io.env[name];
  if (value === undefined || value === '')
    throw new UsageError(`--${option}: the environment variable ${name} is not set`);
  return value;
}

async function channels(rest: string[], io: CliIo): Promise<ExitCode> {
  const [verb, args] = action(rest, ['list', 'add', 'remove', 'test']);
  if (verb === 'add') return addChannel(args, io);
  if (verb === 'remove' || verb === 'test') {
    const { values, positionals } = parseCommandArgs(`notifications channels ${verb}`, args, {
      ...common,
      to: { type: 'string' },
    });
    const ref = positionals[0];
    if (ref === undefined || positionals.length > 1)
      throw new UsageError(`notifications channels ${verb} takes one channel name or id`);
    const { client, server } = remoteClient(io, values);
    if (verb === 'remove') {
      expectOk(
        await reachable(server, () =>
          client.DELETE('/api/v1/notification-channels/{id}', { params: { path: { id: ref } } }),
        ),
        'removing the channel',
      );
      if (values.json === true) return writeJson(io, { removed: ref });
      io.stdout.write(`removed channel ${ref} and its subscriptions\n`);
      return exitCodes.ok;
    }
    const result = expectOk(
      await reachable(server, () =>
        client.POST('/api/v1/notification-channels/{id}/test', {
          params: { path: { id: ref } },
          body: values.to === undefined ? {} : { recipient: values.to },
        }),
      ),
      'testing the channel',
    );
    if (values.json === true) writeJson(io, result);
    else
      io.stdout.write(
        result.ok
          ? `test message accepted (${result.code ?? '-'}) in ${result.durationMs} ms\n`
          : `test message failed: ${result.error ?? 'unknown'}${result.code === null ? '' : ` (${result.code})`}\n`,
      );
    if (!result.ok && values.json !== true)
      throw new UsageError(`channel ${ref} did not accept the test message`);
    return result.ok ? exitCodes.ok : exitCodes.usage;
  }
  const { values, positionals } = parseCommandArgs('notifications channels list', args, common);
  if (positionals.length > 0)
    throw new UsageError(`notifications channels: unknown action "${positionals[0] ?? ''}"`);
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/notification-channels')),
    'channel list',
  );
  if (values.json === true) return writeJson(io, page);
  writeTable(
    io,
    ['name', 'kind', 'enabled', 'target', 'secrets'],
    page.channels.map((c) => [
      c.name,
      c.kind,
      c.enabled ? 'yes' : 'no',
      c.target,
      c.secrets.join(',') || '-',
    ]),
  );
  io.stdout.write(pageFooter('channels', page.channels.length, {}));
  return exitCodes.ok;
}

async function addChannel(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('notifications channels add', args, {
    ...common,
    name: { type: 'string' },
    kind: { type: 'string' },
    url: { type: 'string' },
    'secret-env': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    security: { type: 'string' },
    from: { type: 'string' },
    username: { type: 'string' },
    'password-env': { type: 'string' },
    'ca-file': { type: 'string' },
    disabled: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(
      `notifications channels add takes no arguments (got ${positionals.join(' ')})`,
    );
  if (values.name === undefined || values.kind === undefined)
    throw new UsageError('notifications channels add: --name and --kind are required');
  const secret = secretFromEnv(io, 'secret-env', values['secret-env']);
  const password = secretFromEnv(io, 'password-env', values['password-env']);
  let caCertificate: string | undefined;
  if (values['ca-file'] !== undefined) {
    try {
      caCertificate = readFileSync(resolve(io.cwd, values['ca-file']), 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-file: cannot read ${values['ca-file']}`, { cause: error });
    }
  }
  // The server validates the combination for the kind and names each wrong field.
  const body = {
    name: values.name,
    kind: values.kind,
    enabled: values.disabled !== true,
    ...(values.url !== undefined && { url: values.url }),
    ...(secret !== undefined && { secret }),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.port !== undefined && { port: Number(values.port) }),
    ...(values.security !== undefined && { security: values.security }),
    ...(values.from !== undefined && { from: values.from }),
    ...(values.username !== undefined && { username: values.username }),
    ...(password !== undefined && { password }),
    ...(caCertificate !== undefined && { caCertificate }),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/notification-channels', { body: body as never }),
    ),
    'adding the channel',
  );
  if (values.json === true) return writeJson(io, created);
  io.stdout.write(
    `added ${created.kind} channel "${created.name}" (${created.id}) → ${created.target}\n`,
  );
  return exitCodes.ok;
}

async function subscribe(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('notifications subscribe', args, {
    ...common,
    name: { type: 'string' },
    channel: { type: 'string' },
    audience: { type: 'string' },
    value: { type: 'string' },
    events: { type: 'string' },
    digest: { type: 'string' },
    'digest-hour': { type: 'string' },
    weekday: { type: 'string' },
    tz: { type: 'string' },
    quiet: { type: 'string' },
  });
  if (positionals.length > 0)
    throw new UsageError(
      `notifications subscribe takes no arguments (got ${positionals.join(' ')})`,
    );
  for (const required of ['name', 'channel', 'audience', 'events'] as const)
    if (values[required] === undefined)
      throw new UsageError(`notifications subscribe: --${required} is required`);
  let quietHours: { start: string; end: string } | undefined;
  if (values.quiet !== undefined) {
    const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(values.quiet);
    if (match === null) throw new UsageError('--quiet takes HH:MM-HH:MM, e.g. 22:00-07:00');
    quietHours = { start: match[1] ?? '', end: match[2] ?? '' };
  }
  const body = {
    name: values.name,
    channel: values.channel,
    audience: values.audience,
    events: (values.events ?? '').split(',').map((e) => e.trim()),
    ...(values.value !== undefined && { audienceValue: values.value }),
    ...(values.digest !== undefined && { digest: values.digest }),
    ...(values['digest-hour'] !== undefined && { digestHour: Number(values['digest-hour']) }),
    ...(values.weekday !== undefined && { digestWeekday: Number(values.weekday) }),
    ...(values.tz !== undefined && { timeZone: values.tz }),
    ...(quietHours !== undefined && { quietHours }),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/notification-subscriptions', { body: body as never }),
    ),
    'subscribing',
  );
  if (values.json === true) return writeJson(io, created);
  io.stdout.write(
    `subscribed "${created.name}": ${created.audience} ← ${created.events.join(',')} via ${created.channelName}` +
      (created.digest === 'none'
        ? ''
        : ` (${created.digest} digest at ${created.digestHour}:00 ${created.timeZone})`) +
      '\n',
  );
  return exitCodes.ok;
}

async function unsubscribe(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('notifications unsubscribe', args, common);
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError('notifications unsubscribe takes one subscription name or id');
  const { client, server } = remoteClient(io, values);
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/notification-subscriptions/{id}', { params: { path: { id: ref } } }),
    ),
    'unsubscribing',
  );
  if (values.json === true) return writeJson(io, { removed: ref });
  io.stdout.write(`removed subscription ${ref}\n`);
  return exitCodes.ok;
}

async function subscriptions(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('notifications subscriptions', args, common);
  if (positionals.length > 0)
    throw new UsageError('notifications subscriptions takes no arguments');
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/notification-subscriptions')),
    'subscription list',
  );
  if (values.json === true) return writeJson(io, page);
  writeTable(
    io,
    ['name', 'channel', 'audience', 'events', 'digest', 'quiet', 'enabled'],
    page.subscriptions.map((s) => [
      s.name,
      s.channelName,
      s.audienceValue === null ? s.audience : `${s.audience}=${s.audienceValue}`,
      s.events.join(','),
      s.digest === 'none' ? '-' : `${s.digest} ${s.digestHour}:00 ${s.timeZone}`,
      s.quietHours === null ? '-' : `${s.quietHours.start}-${s.quietHours.end}`,
      s.enabled ? 'yes' : 'no',
    ]),
  );
  io.stdout.write(pageFooter('subscriptions', page.subscriptions.length, {}));
  return exitCodes.ok;
}

async function contacts(rest: string[], io: CliIo): Promise<ExitCode> {
  const [verb, args] = action(rest, ['list', 'add', 'remove']);
  const { values, positionals } = parseCommandArgs(`notifications contacts ${verb}`, args, {
    ...common,
    kind: { type: 'string' },
    key: { type: 'string' },
    address: { type: 'string' },
  });
  const { client, server } = remoteClient(io, values);
  if (verb === 'add') {
    if (values.kind === undefined || values.key === undefined || values.address === undefined)
      throw new UsageError('notifications contacts add: --kind, --key and --address are required');
    const body = { kind: values.kind, key: values.key, address: values.address };
    const created = expectOk(
      await reachable(server, () =>
        client.POST('/api/v1/notification-contacts', { body: body as never }),
      ),
      'adding the contact',
    );
    if (values.json === true) return writeJson(io, created);
    io.stdout.write(
      `added ${created.address} for ${created.kind} ${created.key} (${created.id})\n`,
    );
    return exitCodes.ok;
  }
  if (verb === 'remove') {
    const id = positionals[0];
    if (id === undefined || positionals.length > 1)
      throw new UsageError('notifications contacts remove takes one contact id');
    expectOk(
      await reachable(server, () =>
        client.DELETE('/api/v1/notification-contacts/{id}', { params: { path: { id } } }),
      ),
      'removing the contact',
    );
    if (values.json === true) return writeJson(io, { removed: id });
    io.stdout.write(`removed contact ${id}\n`);
    return exitCodes.ok;
  }
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/notification-contacts')),
    'contact list',
  );
  if (values.json === true) return writeJson(io, page);
  writeTable(
    io,
    ['id', 'kind', 'key', 'address'],
    page.contacts.map((c) => [c.id, c.kind, c.key, c.address]),
  );
  io.stdout.write(pageFooter('contacts', page.contacts.length, {}));
  return exitCodes.ok;
}

async function deliveries(rest: string[], io: CliIo): Promise<ExitCode> {
  const [verb, args] = action(rest, ['list', 'show', 'retry']);
  const { values, positionals } = parseCommandArgs(`notifications deliveries ${verb}`, args, {
    ...common,
    status: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  if (verb === 'show' || verb === 'retry') {
    const id = positionals[0];
    if (id === undefined || positionals.length > 1)
      throw new UsageError(`notifications deliveries ${verb} takes one delivery id`);
    const { client, server } = remoteClient(io, values);
    const params = { params: { path: { id } } };
    const delivery = expectOk(
      await reachable(server, () =>
        verb === 'show'
          ? client.GET('/api/v1/notification-deliveries/{id}', params)
          : client.POST('/api/v1/notification-deliveries/{id}/retry', params),
      ),
      verb === 'show' ? 'reading the delivery' : 'retrying the delivery',
    );
    if (values.json === true) return writeJson(io, delivery);
    io.stdout.write(
      `${delivery.id}  ${delivery.status}  ${delivery.event} → ${delivery.recipient}\n${delivery.subject}\n`,
    );
    writeTable(
      io,
      ['attempt', 'at', 'outcome', 'code', 'error'],
      delivery.log.map((a) => [
        String(a.attempt),
        a.at,
        a.outcome,
        a.code === null ? '-' : String(a.code),
        a.error ?? '-',
      ]),
    );
    return exitCodes.ok;
  }
  if (positionals.length > 0) throw new UsageError('notifications deliveries takes no arguments');
  const limit = limitOption(values.limit, 200);
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/notification-deliveries', {
        params: {
          query: {
            ...(values.status !== undefined && { status: values.status as never }),
            ...(limit !== undefined && { limit }),
            ...(values.cursor !== undefined && { cursor: values.cursor }),
          } as never,
        },
      }),
    ),
    'delivery list',
  );
  if (values.json === true) return writeJson(io, page);
  writeTable(
    io,
    ['created', 'status', 'event', 'recipient', 'attempts', 'last', 'subject'],
    page.deliveries.map((d) => [
      d.createdAt.slice(0, 16),
      d.status,
      d.event,
      d.recipient,
      String(d.attempts),
      d.lastError ?? (d.lastCode === null ? '-' : String(d.lastCode)),
      d.subject,
    ]),
  );
  io.stdout.write(
    pageFooter('deliveries', page.deliveries.length, { nextCursor: page.nextCursor }),
  );
  return exitCodes.ok;
}

async function templates(rest: string[], io: CliIo): Promise<ExitCode> {
  const [verb, args] = action(rest, ['list', 'set', 'reset']);
  const { values, positionals } = parseCommandArgs(`notifications templates ${verb}`, args, {
    ...common,
    subject: { type: 'string' },
    'body-file': { type: 'string' },
  });
  const { client, server } = remoteClient(io, values);
  if (verb === 'set' || verb === 'reset') {
    const event = positionals[0];
    if (event === undefined || positionals.length > 1)
      throw new UsageError(`notifications templates ${verb} takes one event`);
    const path = { params: { path: { event: event as never } } };
    let result;
    if (verb === 'set') {
      if (values.subject === undefined || values['body-file'] === undefined)
        throw new UsageError('notifications templates set: --subject and --body-file are required');
      let body: string;
      try {
        body = readFileSync(resolve(io.cwd, values['body-file']), 'utf8');
      } catch (error) {
        throw new UsageError(`--body-file: cannot read ${values['body-file']}`, { cause: error });
      }
      result = expectOk(
        await reachable(server, () =>
          client.PUT('/api/v1/notification-templates/{event}', {
            ...path,
            body: { subject: values.subject ?? '', body },
          }),
        ),
        'setting the template',
      );
    } else
      result = expectOk(
        await reachable(server, () =>
          client.DELETE('/api/v1/notification-templates/{event}', path),
        ),
        'resetting the template',
      );
    if (values.json === true) return writeJson(io, result);
    io.stdout.write(
      `template of ${result.event} (${result.phase}) is ${result.custom ? 'edited' : 'the default'}\n`,
    );
    return exitCodes.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`notifications templates: unknown action "${positionals[0] ?? ''}"`);
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/notification-templates')),
    'template list',
  );
  if (values.json === true) return writeJson(io, page);
  writeTable(
    io,
    ['event', 'phase', 'custom', 'subject'],
    page.templates.map((t) => [t.event, t.phase, t.custom ? 'yes' : 'no', t.subject]),
  );
  return exitCodes.ok;
}
