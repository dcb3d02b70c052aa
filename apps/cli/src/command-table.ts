/**
 * Every `patchgate` command, its subcommands and how to load it. A command's module is imported
 * only when that command runs (or its help is asked for), so `patchgate --version` loads
 * nothing and `patchgate scan` never loads the server stack (docs/adr/0017-cli-lazy-commands.md).
 * The help test walks this table: every command and subcommand answers `--help`.
 */
import type { ServerProcess } from './commands/server.ts';
import type { CliIo, ExitCode } from './io.ts';

export interface CommandModule {
  readonly help: string;
  run(args: string[], io: CliIo, processHooks?: ServerProcess): Promise<ExitCode> | ExitCode;
}

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Subcommands, in the order the help lists them; empty for a command without any. */
  readonly subcommands: readonly string[];
  load(): Promise<CommandModule>;
}

export const commandTable: readonly CommandEntry[] = [
  {
    name: 'scan',
    summary: 'match inventories against OSV advisories and print findings',
    subcommands: [],
    load: async () => {
      const m = await import('./commands/scan.ts');
      return { help: m.scanHelp, run: m.scanCommand };
    },
  },
  {
    name: 'versions',
    summary: "compare versions under an ecosystem's rules; list the schemes",
    subcommands: ['compare', 'list'],
    load: async () => {
      const m = await import('./commands/versions.ts');
      return { help: m.versionsHelp, run: m.versionsCommand };
    },
  },
  {
    name: 'inventory',
    summary: 'show what an inventory file contains; list the formats',
    subcommands: ['show', 'formats'],
    load: async () => {
      const m = await import('./commands/inventory.ts');
      return { help: m.inventoryHelp, run: m.inventoryCommand };
    },
  },
  {
    name: 'advisories',
    summary: "a server's advisory sources and syncs; OSV from Debian changelogs",
    subcommands: [
      'sources',
      'add-source',
      'catalogue',
      'enable',
      'disable',
      'sync',
      'from-debian-changelog',
    ],
    load: async () => {
      const m = await import('./commands/advisories.ts');
      return { help: m.advisoriesHelp, run: m.advisoriesCommand };
    },
  },
  {
    name: 'cvss',
    summary: 'score CVSS v2, v3.0, v3.1 and v4.0 vectors',
    subcommands: [],
    load: async () => {
      const m = await import('./commands/cvss.ts');
      return { help: m.cvssHelp, run: m.cvssCommand };
    },
  },
  {
    name: 'server',
    summary: 'start the Patchgate server (embedded database by default)',
    subcommands: [],
    load: async () => {
      const m = await import('./commands/server.ts');
      return {
        help: m.serverHelp,
        run: (args, io, processHooks) => m.serverCommand(args, io, processHooks),
      };
    },
  },
  {
    name: 'login',
    summary: 'log in to a server and save an API token for the commands below',
    subcommands: [],
    load: async () => {
      const m = await import('./commands/login.ts');
      return { help: m.loginHelp, run: m.loginCommand };
    },
  },
  {
    name: 'assets',
    summary: 'import, list assets on a server; upload inventories and available updates',
    subcommands: ['import', 'upload', 'list', 'upload-updates', 'updates'],
    load: async () => {
      const m = await import('./commands/assets.ts');
      return { help: m.assetsHelp, run: m.assetsCommand };
    },
  },
  {
    name: 'findings',
    summary: "list a server's prioritised findings; record their triage",
    subcommands: ['list', 'triage'],
    load: async () => {
      const m = await import('./commands/findings.ts');
      return { help: m.findingsHelp, run: m.findingsCommand };
    },
  },
  {
    name: 'exceptions',
    summary: 'request, approve, reject and revoke risk-acceptance exceptions',
    subcommands: ['list', 'request', 'approve', 'reject', 'revoke'],
    load: async () => {
      const m = await import('./commands/exceptions.ts');
      return { help: m.exceptionsHelp, run: m.exceptionsCommand };
    },
  },
  {
    name: 'changes',
    summary: 'change requests: create from findings, plan, approve, schedule, implement, review',
    subcommands: [
      'create',
      'plan',
      'edit',
      'risk',
      'list',
      'show',
      'submit',
      'approve',
      'reject',
      'schedule',
      'start',
      'complete',
      'fail',
      'roll-back',
      'cancel',
      'close',
      'revise',
      'reopen',
      'review',
      'preflight',
      'conflicts',
      'next-slot',
      'agenda',
      'export',
      'verify-export',
      'templates',
      'template',
      'evidence',
      'evidence-download',
    ],
    load: async () => {
      const m = await import('./commands/changes.ts');
      return { help: m.changesHelp, run: m.changesCommand };
    },
  },
  {
    name: 'improvements',
    summary: 'review trends, recommendations (accept or dismiss) and follow-up actions',
    subcommands: [
      'trends',
      'recommendations',
      'refresh',
      'accept',
      'dismiss',
      'actions',
      'action-add',
      'action-update',
    ],
    load: async () => {
      const m = await import('./commands/improvements.ts');
      return { help: m.improvementsHelp, run: m.improvementsCommand };
    },
  },
  {
    name: 'approvals',
    summary: 'approver groups, the approval policy and delegations of approvals',
    subcommands: [
      'groups',
      'group-add',
      'group-remove',
      'members',
      'policy',
      'delegate',
      'delegations',
      'revoke',
    ],
    load: async () => {
      const m = await import('./commands/approvals.ts');
      return { help: m.approvalsHelp, run: m.approvalsCommand };
    },
  },
  {
    name: 'autopilot',
    summary: 'rules that turn findings or available updates into grouped changes by themselves',
    subcommands: ['add', 'list', 'pause', 'resume', 'run-now', 'runs'],
    load: async () => {
      const m = await import('./commands/autopilot.ts');
      return { help: m.autopilotHelp, run: m.autopilotCommand };
    },
  },
  {
    name: 'users',
    summary: "a server's users: list, create, disable, enable, reset a password",
    subcommands: ['list', 'create', 'disable', 'enable', 'reset-password'],
    load: async () => {
      const m = await import('./commands/users.ts');
      return { help: m.usersHelp, run: m.usersCommand };
    },
  },
  {
    name: 'tokens',
    summary: 'your API tokens: list, create, revoke',
    subcommands: ['list', 'create', 'revoke'],
    load: async () => {
      const m = await import('./commands/tokens.ts');
      return { help: m.tokensHelp, run: m.tokensCommand };
    },
  },
  {
    name: 'enrolment-tokens',
    summary: 'one-time tokens host agents enrol with: create, list, revoke',
    subcommands: ['create', 'list', 'revoke'],
    load: async () => {
      const m = await import('./commands/enrolment-tokens.ts');
      return { help: m.enrolmentTokensHelp, run: m.enrolmentTokensCommand };
    },
  },
  {
    name: 'agents',
    summary: 'enrolled host agents: list, show, revoke',
    subcommands: ['list', 'show', 'revoke'],
    load: async () => {
      const m = await import('./commands/agents.ts');
      return { help: m.agentsHelp, run: m.agentsCommand };
    },
  },
  {
    name: 'notifications',
    summary: 'notification channels, subscriptions, contacts, templates and the delivery log',
    subcommands: [
      'channels',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'contacts',
      'deliveries',
      'templates',
    ],
    load: async () => {
      const m = await import('./commands/notifications.ts');
      return { help: m.notificationsHelp, run: m.notificationsCommand };
    },
  },
  {
    name: 'windows',
    summary: 'maintenance windows: RRULE in a time zone, duration, cutoff, assets',
    subcommands: ['add', 'list', 'remove'],
    load: async () => {
      const m = await import('./commands/calendar.ts');
      return { help: m.windowsHelp, run: m.windowsCommand };
    },
  },
  {
    name: 'freezes',
    summary: 'change freezes: one-off or recurring, with exclusions',
    subcommands: ['add', 'list', 'remove'],
    load: async () => {
      const m = await import('./commands/calendar.ts');
      return { help: m.freezesHelp, run: m.freezesCommand };
    },
  },
  {
    name: 'calendar',
    summary: 'the change calendar and its .ics feed address',
    subcommands: ['show', 'url', 'revoke-url'],
    load: async () => {
      const m = await import('./commands/calendar.ts');
      return { help: m.calendarHelp, run: m.calendarCommand };
    },
  },
  {
    name: 'audit',
    summary: "list the server's audit events; verify the audit chain",
    subcommands: ['list', 'verify'],
    load: async () => {
      const m = await import('./commands/audit.ts');
      return { help: m.auditHelp, run: m.auditCommand };
    },
  },
  {
    name: 'agent',
    summary: 'the host agent: run it (enrol, poll signed tasks), prepare a sandbox root, status',
    subcommands: ['run', 'init-root', 'status', 'version'],
    load: async () => {
      const m = await import('./commands/agent.ts');
      return {
        help: m.agentHelp,
        run: (args, io, processHooks) => m.agentCommand(args, io, processHooks),
      };
    },
  },
  {
    name: 'rollouts',
    summary: "start and follow a change's rollout; pause, resume, abort, roll back",
    subcommands: [
      'start',
      'list',
      'show',
      'pause',
      'resume',
      'abort',
      'rollback',
      'release',
      'watch',
    ],
    load: async () => {
      const m = await import('./commands/rollouts.ts');
      return { help: m.rolloutsHelp, run: m.rolloutsCommand };
    },
  },
  {
    name: 'reports',
    summary: 'make compliance reports (PDF, CSV, JSON) and write them; list them; schedules',
    subcommands: ['types', 'generate', 'list', 'get', 'regenerate', 'schedules'],
    load: async () => {
      const m = await import('./commands/reports.ts');
      return { help: m.reportsHelp, run: m.reportsCommand };
    },
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return commandTable.find((entry) => entry.name === name);
}

/** `--help` or `-h` among a command's arguments (before a `--` that ends the options). */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}
