/**
 * The agent's HTTP client for `@patchgate/agent-protocol`: every call carries
 * `patchgate-agent-protocol: 1` and (after enrolment) `Authorization: Bearer pga_…`, has a
 * timeout, and is retried with exponential backoff and full jitter on network errors, timeouts,
 * 408/429 and 5xx. A 401 is final: the server no longer knows this credential (the agent was
 * revoked), so the agent stops with `AgentRevokedError` instead of hammering the server.
 */
import type {
  EnrolRequest,
  Heartbeat,
  TaskEventBatch,
  TaskResult,
} from '@patchgate/agent-protocol';
import {
  agentRoutes,
  EnrolResponse,
  HeartbeatResponse,
  maxWaitSeconds,
  protocolHeader,
  protocolVersion,
  TaskPoll,
} from '@patchgate/agent-protocol';
import { gzipSync } from 'node:zlib';
import type { z } from 'zod';

/** Names the task a report belongs to (a rescan's inventory), ADR 0035. */
export const taskIdHeader = 'patchgate-task-id';

export class AgentRevokedError extends Error {
  override readonly name = 'AgentRevokedError';
}

/** The server answered with a 4xx other than 401 (not retried: asking again would not help). */
export class AgentHttpError extends Error {
  override readonly name = 'AgentHttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** Network errors, timeouts or 5xx outlasted every retry. */
export class ServerUnreachableError extends Error {
  override readonly name = 'ServerUnreachableError';
}

export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface AgentClientOptions {
  readonly server: string;
  readonly credential?: string;
  readonly agentVersion: string;
  readonly fetch?: typeof fetch;
  /** Per request, unless a call says otherwise (a long-poll waits longer). */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Waits between retries; aborted by the signal. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly localNow?: () => number;
  /** Each answer's `serverTime`, with when the request left and its answer came (local ms). */
  readonly onServerTime?: (serverTime: string, sentAtMs: number, receivedAtMs: number) => void;
}

interface RequestOptions {
  readonly body?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly contentType?: string;
  readonly query?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  readonly retry?: RetryPolicy;
  readonly authenticated?: boolean;
  /**
   * A long-poll: the server stamps `serverTime` when it answers, after waiting, so the clock
   * is measured at the answer's arrival, not at the request's midpoint (off by half the wait).
   */
  readonly longPoll?: boolean;
}

/** Full jitter: a random delay in [0, min(max, base·2^attempt)] (AWS architecture blog). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

const retryableStatus = (status: number): boolean =>
  status >= 500 || status === 408 || status === 429;

export class AgentClient {
  readonly server: string;
  #credential: string | undefined;
  readonly #options: AgentClientOptions;
  readonly #fetch: typeof fetch;

  constructor(options: AgentClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.#credential = options.credential;
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  set credential(credential: string) {
    this.#credential = credential;
  }

  /** The same client with another retry policy (the outbox sender retries in its own loop). */
  withRetry(retry: RetryPolicy): AgentClient {
    return new AgentClient({
      ...this.#options,
      server: this.server,
      ...(this.#credential !== undefined && { credential: this.#credential }),
      retry,
    });
  }

  async enrol(request: EnrolRequest, signal?: AbortSignal): Promise<EnrolResponse> {
    return this.#json(EnrolResponse, 'POST', agentRoutes.enrol, {
      body: JSON.stringify(request),
      authenticated: false,
      signal,
    });
  }

  async heartbeat(heartbeat: Heartbeat, signal?: AbortSignal): Promise<HeartbeatResponse> {
    return this.#json(HeartbeatResponse, 'POST', agentRoutes.heartbeat, {
      body: JSON.stringify(heartbeat),
      signal,
    });
  }

  /** Long-poll: answers at once when a task is queued, else after `waitSeconds`. */
  async pollTasks(waitSeconds: number, signal?: AbortSignal): Promise<TaskPoll> {
    const wait = Math.max(0, Math.min(maxWaitSeconds, Math.floor(waitSeconds)));
    return this.#json(TaskPoll, 'GET', agentRoutes.tasks, {
      query: { waitSeconds: String(wait) },
      timeoutMs: (wait + 20) * 1000,
      longPoll: true,
      signal,
    });
  }

  async sendEvents(taskId: string, batch: TaskEventBatch, signal?: AbortSignal): Promise<void> {
    await this.#request('POST', taskPath(agentRoutes.taskEvents, taskId), {
      body: JSON.stringify(batch),
      signal,
    });
  }

  async sendResult(taskId: string, result: TaskResult, signal?: AbortSignal): Promise<void> {
    await this.#request('POST', taskPath(agentRoutes.taskResult, taskId), {
      body: JSON.stringify(result),
      signal,
    });
  }

  /** The file as it is, gzip-compressed (the server detects the format and gunzips). */
  async uploadInventory(body: string, taskId: string | null, signal?: AbortSignal): Promise<void> {
    await this.#request('POST', agentRoutes.inventory, {
      body: gzipSync(Buffer.from(body, 'utf8')),
      contentType: 'application/gzip',
      headers: taskId === null ? {} : { [taskIdHeader]: taskId },
      timeoutMs: 120_000,
      signal,
    });
  }

  async uploadAvailableUpdates(
    body: string,
    taskId: string | null,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#request('POST', agentRoutes.availableUpdates, {
      body,
      contentType: 'text/plain; charset=utf-8',
      headers: taskId === null ? {} : { [taskIdHeader]: taskId },
      timeoutMs: 120_000,
      signal,
    });
  }

  async #json<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<z.infer<S>> {
    const { text, sentAtMs, receivedAtMs } = await this.#request(method, path, options);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AgentHttpError(
        `${method} ${path}: the answer is not JSON`,
        200,
        text.slice(0, 200),
      );
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AgentHttpError(
        `${method} ${path}: unexpected answer (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); is the server's protocol version ${protocolVersion}?`,
        200,
        text.slice(0, 200),
      );
    }
    const serverTime = (parsed.data as { serverTime?: unknown }).serverTime;
    if (typeof serverTime === 'string')
      this.#options.onServerTime?.(
        serverTime,
        options.longPoll === true ? receivedAtMs : sentAtMs,
        receivedAtMs,
      );
    return parsed.data;
  }

  async #request(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<{ text: string; sentAtMs: number; receivedAtMs: number }> {
    const policy = options.retry ?? this.#options.retry ?? defaultRetry;
    const sleep = this.#options.sleep ?? abortableSleep;
    const random = this.#options.random ?? Math.random;
    const localNow = this.#options.localNow ?? Date.now;
    const query = new URLSearchParams(options.query ?? {}).toString();
    const url = `${this.server}${path}${query === '' ? '' : `?${query}`}`;
    const headers: Record<string, string> = {
      [protocolHeader]: String(protocolVersion),
      'user-agent': `patchgate-agent/${this.#options.agentVersion}`,
      accept: 'application/json',
    };
    Object.assign(headers, options.headers);
    if (options.body !== undefined)
      headers['content-type'] = options.contentType ?? 'application/json';
    if (options.authenticated !== false) {
      if (this.#credential === undefined) throw new Error('the agent is not enrolled');
      headers.authorization = `Bearer ${this.#credential}`;
    }
    let lastProblem = '';
    for (let attempt = 0; attempt < policy.attempts; attempt += 1) {
      if (attempt > 0) {
        await sleep(backoffDelay(attempt, policy, random), options.signal);
      }
      if (options.signal?.aborted === true) throw abortError(options.signal);
      const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#options.timeoutMs ?? 30_000);
      const signal =
        options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
      const sentAtMs = localNow();
      let response: Response;
      let text: string;
      try {
        response = await this.#fetch(url, {
          method,
          headers,
          ...(options.body !== undefined && { body: options.body }),
          signal,
        });
        text = await response.text();
      } catch (error) {
        if (isAborted(options.signal)) throw abortError(options.signal);
        lastProblem = timeout.aborted ? 'timed out' : describeNetworkError(error);
        continue;
      }
      const receivedAtMs = localNow();
      if (response.ok) return { text, sentAtMs, receivedAtMs };
      const detail = problemDetail(text);
      if (response.status === 401) {
        throw new AgentRevokedError(
          `the server refused this agent's credential (401${detail === '' ? '' : `: ${detail}`}): the agent was revoked or its credential is wrong; enrol it again with a new enrolment token`,
        );
      }
      if (!retryableStatus(response.status)) {
        throw new AgentHttpError(
          `${method} ${path}: ${response.status}${detail === '' ? '' : ` ${detail}`}`,
          response.status,
          detail,
        );
      }
      lastProblem = `${response.status}${detail === '' ? '' : ` ${detail}`}`;
    }
    throw new ServerUnreachableError(
      `${method} ${url}: ${lastProblem} (after ${policy.attempts} attempt${policy.attempts === 1 ? '' : 's'})`,
    );
  }
}

function taskPath(route: string, taskId: string): string {
  return route.replace(':taskId', encodeURIComponent(taskId));
}

/** Read afresh (TypeScript narrows `signal.aborted` across an await). */
function isAborted(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal?.aborted === true;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

/** problem+json's detail or title, else the start of the body. */
function problemDetail(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof problem.detail === 'string') return problem.detail;
    if (typeof problem.title === 'string') return problem.title;
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
