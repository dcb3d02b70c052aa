/**
 * What a rollout needs on a server, made through the public API only: people with separation
 * of duties (a requester who implements, approvers who may not be the requester), a maintenance
 * window open now, and a change approved and scheduled inside it. Shared by the demo lab, the
 * agent end-to-end tests and the fleet benchmark (`npm run bench -- fleet`), so the three set a
 * change up the same way a team would.
 */
import { randomBytes } from 'node:crypto';

/** A JSON answer: its status and parsed body (null when empty). */
export interface LabReply {
  readonly status: number;
  readonly body: unknown;
}

/** A tiny JSON client for one caller (an API token, or none). */
export class LabApi {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<LabReply> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token !== undefined && { authorization: `Bearer ${this.token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed };
  }

  /** The call must answer 2xx; returns the body, else throws with the problem's detail. */
  async ok<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    what = `${method} ${path}`,
  ): Promise<T> {
    const reply = await this.call(method, path, body);
    if (reply.status < 200 || reply.status > 299)
      throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 1000)}`);
    return reply.body as T;
  }

  get<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.ok<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, what?: string): Promise<T> {
    return this.ok<T>('POST', path, body ?? {}, what);
  }
}

/** Log in (a session), mint an API token with every permission of the user, end the session. */
export async function loginToken(
  baseUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  const session = (await login.json()) as { csrfToken: string; user: { permissions: string[] } };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken };
  const created = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'patchgate lab', scopes: session.user.permissions }),
  });
  if (created.status !== 201)
    throw new Error(`token for ${username}: ${created.status} ${await created.text()}`);
  await fetch(`${baseUrl}/api/v1/session`, {
    method: 'DELETE',
    headers: { cookie, 'x-csrf-token': session.csrfToken },
  });
  return ((await created.json()) as { token: string }).token;
}

/** The people of a lab: who requests and implements, who approves (never the requester). */
export interface LabPeople {
  readonly requester: LabApi;
  readonly requesterName: string;
  /** Approvers in the order the default policy asks: service owner, then two of the CAB. */
  readonly approvers: readonly LabApi[];
}

/**
 * Create an operator (requests and implements changes) and three approvers (one service owner,
 * two CAB members) with random passwords, and log each in.
 */
export async function createLabPeople(admin: LabApi, prefix = 'lab'): Promise<LabPeople> {
  const people = [
    { username: `${prefix}-operator`, roles: ['operator'], groups: [] as string[] },
    { username: `${prefix}-owner`, roles: ['approver'], groups: ['service-owners'] },
    { username: `${prefix}-cab-1`, roles: ['approver'], groups: ['cab'] },
    { username: `${prefix}-cab-2`, roles: ['approver'], groups: ['cab'] },
  ];
  const apis: LabApi[] = [];
  for (const person of people) {
    const password = randomBytes(12).toString('base64url');
    await admin.post(
      '/api/v1/users',
      { username: person.username, displayName: person.username, password, roles: person.roles },
      `user ${person.username}`,
    );
    for (const group of person.groups)
      await admin.post(`/api/v1/approver-groups/${group}/members`, { add: [person.username] });
    apis.push(
      new LabApi(admin.baseUrl, await loginToken(admin.baseUrl, person.username, password)),
    );
  }
  const [requester, ...approvers] = apis as [LabApi, ...LabApi[]];
  return { requester, requesterName: people[0]?.username ?? '', approvers };
}

/**
 * A daily maintenance window (UTC) that opened an hour ago and lasts 23 hours, so it is open
 * now and for the rest of the test or demo.
 */
export async function openWindowNow(
  admin: LabApi,
  name: string,
  selector: Record<string, unknown>,
  now = new Date(),
): Promise<void> {
  const start = new Date(now.getTime() - 60 * 60 * 1000);
  const dtstart = start.toISOString().slice(0, 13) + ':00';
  await admin.post(
    '/api/v1/calendar/windows',
    {
      name,
      rrule: 'FREQ=DAILY',
      dtstart,
      timeZone: 'UTC',
      durationMinutes: 23 * 60,
      cutoffMinutes: 0,
      selector,
    },
    `window ${name}`,
  );
}

export interface LabChange {
  readonly id: string;
  readonly number: string;
  readonly state: string;
  /** The scheduled start (ISO 8601). */
  readonly start?: string;
}

/**
 * Create a change as the requester (who also implements it), submit it, have the approvers
 * decide until no stage waits (each approver tries in turn: the policy decides who may), then
 * schedule it to start `startInMinutes` from now.
 */
export async function approvedChange(
  people: LabPeople,
  body: Record<string, unknown>,
  startInMinutes = 1,
  inventoryWaitMs = 60_000,
): Promise<LabChange> {
  const { requester } = people;
  // The hosts' first inventories (sent by their agents after enrolment) may still be on their
  // way: a patch names a package the asset's inventory must hold.
  let created: LabChange | undefined;
  for (const deadline = Date.now() + inventoryWaitMs; created === undefined;) {
    const reply = await requester.call('POST', '/api/v1/changes', {
      implementer: people.requesterName,
      ...body,
    });
    if (reply.status === 201) created = reply.body as LabChange;
    else if (
      reply.status === 422 &&
      /is not installed on/.test(JSON.stringify(reply.body)) &&
      Date.now() < deadline
    )
      await new Promise((resolve) => setTimeout(resolve, 500));
    else
      throw new Error(
        `creating the change: ${reply.status} ${JSON.stringify(reply.body).slice(0, 1000)}`,
      );
  }
  let change = await requester.post<LabChange>(
    `/api/v1/changes/${created.id}/submit`,
    {},
    'submitting the change',
  );
  // Approvals complete leave the change in authorise until it is scheduled: approve until the
  // server says it is approved (each approver tries in turn; the policy decides who may).
  const refusals: string[] = [];
  let approved = false;
  for (let round = 0; round < 3 && !approved && change.state === 'authorise'; round++) {
    for (const approver of people.approvers) {
      const reply = await approver.call('POST', `/api/v1/changes/${created.id}/approve`, {});
      if (reply.status === 200) change = reply.body as LabChange;
      else if (/already approved/.test(JSON.stringify(reply.body))) approved = true;
      else refusals.push(JSON.stringify(reply.body).slice(0, 300));
      if (approved || change.state !== 'authorise') break;
    }
  }
  if (!approved && change.state === 'authorise')
    throw new Error(
      `change ${created.number} is still waiting for approvals: ${refusals.join('; ')}`,
    );
  const start = new Date(Date.now() + startInMinutes * 60 * 1000);
  change = await requester.post<LabChange>(
    `/api/v1/changes/${created.id}/schedule`,
    { start: start.toISOString() },
    'scheduling the change',
  );
  return {
    id: created.id,
    number: created.number,
    state: change.state,
    start: start.toISOString(),
  };
}

/**
 * Start the change's rollout now (`POST /changes/:id/rollout`). The server's driver starts a
 * scheduled change by itself once its start is reached: when it was quicker, its rollout is
 * the one returned.
 */
export async function startRolloutNow(
  api: LabApi,
  changeId: string,
): Promise<{ id: string; phase: string }> {
  const reply = await api.call('POST', `/api/v1/changes/${changeId}/rollout`, {});
  if (reply.status === 201 || reply.status === 200)
    return reply.body as { id: string; phase: string };
  const list = await api.get<{ rollouts: { id: string; phase: string; dryRun: boolean }[] }>(
    `/api/v1/rollouts?change=${encodeURIComponent(changeId)}`,
  );
  const started = list.rollouts.find((r) => !r.dryRun);
  if (started !== undefined) return started;
  throw new Error(`starting the rollout: ${reply.status} ${JSON.stringify(reply.body)}`);
}
