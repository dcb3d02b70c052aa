/**
 * Server-sent events (text/event-stream) for the routes that stream: the reply is taken over
 * from Fastify, events are written as they come, a heartbeat comment keeps proxies from closing
 * a quiet stream, and the stream notices when the client goes away (a wait ends early then).
 * The streams poll the database, so what any replica writes shows on every replica's streams.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';

export interface EventStream {
  /** `event: <name>`, `data: <JSON>` and, when given, `id: <id>` (what Last-Event-ID resumes from). */
  send(event: string, data: unknown, id?: number): void;
  /** A heartbeat comment when `everyMs` passed since the last one. */
  heartbeat(everyMs: number): void;
  /** Wait `ms`, or less when the client disconnects. */
  wait(ms: number): Promise<void>;
  /** Whether the client has gone. */
  readonly closed: boolean;
  end(): void;
}

/** `Last-Event-ID` as a non-negative integer, or undefined when absent or anything else. */
export function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  const text = (Array.isArray(header) ? header[0] : header)?.trim();
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * Take the reply over and open the stream: headers, a first comment naming it, and `retry`
 * (how soon EventSource reconnects after the stream ends).
 */
export function openEventStream(
  request: FastifyRequest,
  reply: { hijack(): void; raw: ServerResponse },
  name: string,
  retryMs = 2000,
): EventStream {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx buffers responses unless told otherwise.
    'x-accel-buffering': 'no',
  });
  let closed = false;
  let wake: (() => void) | undefined;
  request.raw.on('close', () => {
    closed = true;
    wake?.();
  });
  out.write(`: ${name}\nretry: ${retryMs}\n\n`);
  let lastBeat = Date.now();
  return {
    get closed() {
      return closed;
    },
    send(event, data, id) {
      out.write(
        `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      );
    },
    heartbeat(everyMs) {
      if (Date.now() - lastBeat < everyMs) return;
      out.write(': heartbeat\n\n');
      lastBeat = Date.now();
    },
    wait(ms) {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve();
        }, ms);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    },
    end() {
      out.end();
    },
  };
}
