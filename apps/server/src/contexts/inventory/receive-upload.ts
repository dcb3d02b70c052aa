/**
 * Receiving an upload without holding it in memory: the body (or the one file of a
 * multipart form) is streamed to a private temporary file, counted as it goes, and refused
 * with 413 past the route's limit. A body that ends early (a truncated multipart form, a
 * dropped connection) is the client's fault: 400, never 500.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { ApiError, BadRequestError } from '../../http/problems.ts';

export interface ReceivedUpload {
  readonly path: string;
  readonly size: number;
  /** The file name a multipart form gave. */
  readonly filename?: string;
  /** Remove the temporary file. */
  discard(): Promise<void>;
}

export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(
      413,
      'payload_too_large',
      'The request body is too large',
      `body: this route accepts at most ${limit} bytes`,
      [{ field: 'body', message: `is larger than ${limit} bytes` }],
    );
  }
}

class LimitExceeded extends Error {}

function counter(limit: number, seen: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen.bytes += chunk.length;
      if (seen.bytes > limit) callback(new LimitExceeded());
      else callback(null, chunk);
    },
  });
}

/**
 * Copy the request body to `path`, at most `limit` bytes. Past the limit it stops reading
 * without destroying the request, so the 413 still reaches the client (Node closes the
 * connection when the response ends with the body unread).
 */
async function bodyToFile(source: Readable, path: string, limit: number): Promise<number> {
  const file = createWriteStream(path);
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let ended = false;
      const stop = (error?: unknown) => {
        source.off('data', onData);
        source.off('end', onEnd);
        source.off('error', stop);
        source.off('close', onClose);
        file.off('error', stop);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error('the request body failed'));
      };
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > limit) {
          source.pause();
          stop(new LimitExceeded());
        } else if (!file.write(chunk)) {
          source.pause();
          file.once('drain', () => source.resume());
        }
      };
      const onEnd = () => {
        ended = true;
        stop();
      };
      // The client went away before the end: the body is incomplete.
      const onClose = () => {
        if (!ended) stop(new Error('the request body ended early'));
      };
      source.on('data', onData);
      source.once('end', onEnd);
      source.once('error', stop);
      source.once('close', onClose);
      file.once('error', stop);
    });
  } finally {
    await new Promise<void>((resolve) => file.end(resolve));
  }
  return bytes;
}

/** Errors of the file system are ours (500); the rest of a failed read is the body's fault. */
function isLocalFailure(error: unknown): boolean {
  return typeof (error as { syscall?: unknown } | null)?.syscall === 'string';
}

function bodyError(error: unknown, limit: number, multipart: boolean): Error {
  if (error instanceof ApiError) return error;
  if (error instanceof LimitExceeded) return new PayloadTooLargeError(limit);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return new PayloadTooLargeError(limit);
  if (isLocalFailure(error)) return error as Error;
  return new BadRequestError(
    multipart
      ? 'body: the multipart form cannot be read (it ends before its closing boundary, or is malformed); send it whole'
      : 'body: the upload ended before all of it arrived; send it again',
  );
}

/** Stream the request's upload to a temporary file of at most `limit` bytes. */
export async function receiveUpload(
  request: FastifyRequest,
  limit: number,
): Promise<ReceivedUpload> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit && !request.isMultipart()) {
    throw new PayloadTooLargeError(limit);
  }
  const dir = await mkdtemp(join(tmpdir(), 'patchgate-upload-'));
  const path = join(dir, 'upload');
  const discard = () => rm(dir, { recursive: true, force: true });
  const seen = { bytes: 0 };
  const multipart = request.isMultipart();
  try {
    let filename: string | undefined;
    if (multipart) {
      const file = await request.file({ limits: { files: 1, fileSize: limit } });
      if (file !== undefined) {
        filename = file.filename;
        await pipeline(file.file, counter(limit, seen), createWriteStream(path));
        if (file.file.truncated) throw new PayloadTooLargeError(limit);
      }
    } else {
      seen.bytes = await bodyToFile(request.body as Readable, path, limit);
    }
    return { path, size: seen.bytes, ...(filename !== undefined && { filename }), discard };
  } catch (error) {
    await discard();
    throw bodyError(error, limit, multipart);
  }
}
