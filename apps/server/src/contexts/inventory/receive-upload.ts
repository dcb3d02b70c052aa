/**
 * Receiving an upload without holding a big one in memory: the body (or the one file of a
 * multipart form) is read as it arrives, counted, and refused with 413 past the route's
 * limit; up to `spillBytes` it stays in memory (most inventories: a host's dpkg status is
 * under 1 MB), beyond that it goes to a private temporary file. A body that ends early (a
 * truncated multipart form, a dropped connection) is the client's fault: 400, never 500.
 */
import type { WriteStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError, BadRequestError, PayloadTooLargeError } from '../../http/problems.ts';
import type { UploadSource } from './parse-upload.ts';

export interface ReceivedUpload {
  /** In memory (small), or the temporary file it was written to. */
  readonly source: UploadSource;
  readonly size: number;
  /** The file name a multipart form gave. */
  readonly filename?: string;
  /** Remove the temporary file, if any. */
  discard(): Promise<void>;
}

/** Bodies up to this size stay in memory; larger ones are written to a temporary file. */
export const spillBytes = 1024 * 1024;

class LimitExceeded extends Error {}

/** Where the bytes go: memory first, a temporary file once they pass `spillBytes`. */
class Sink {
  private chunks: Buffer[] = [];
  private file: WriteStream | undefined;
  private dir: string | undefined;
  bytes = 0;

  constructor(private readonly spillAt: number) {}

  /** Write a chunk; resolves when the sink can take more (file back-pressure). */
  async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (this.file === undefined && this.bytes <= this.spillAt) {
      this.chunks.push(chunk);
      return;
    }
    if (this.file === undefined) {
      this.dir = await mkdtemp(join(tmpdir(), 'patchgate-upload-'));
      this.file = createWriteStream(join(this.dir, 'upload'));
      const held = Buffer.concat(this.chunks);
      this.chunks = [];
      if (!this.file.write(held)) await this.drain();
    }
    if (!this.file.write(chunk)) await this.drain();
  }

  private drain(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        file.off('drain', done);
        file.off('error', done);
        if (error === undefined) resolve();
        else reject(error);
      };
      file.once('drain', done);
      file.once('error', done);
    });
  }

  async finish(): Promise<UploadSource> {
    const file = this.file;
    if (file === undefined || this.dir === undefined) return { bytes: Buffer.concat(this.chunks) };
    await new Promise<void>((resolve, reject) => {
      file.once('error', reject);
      file.end(resolve);
    });
    return { path: join(this.dir, 'upload') };
  }

  async discard(): Promise<void> {
    this.chunks = [];
    this.file?.destroy();
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Copy `source` into the sink, at most `limit` bytes. Past the limit it stops reading
 * without destroying the request, so the 413 still reaches the client (Node closes the
 * connection when the response ends with the body unread).
 */
async function copy(source: Readable, sink: Sink, limit: number): Promise<void> {
  // A multipart file stream may have failed (a truncated form) before we got to it.
  if (source.errored !== null) throw source.errored;
  if (source.destroyed && !source.readableEnded) throw new Error('the request body ended early');
  await new Promise<void>((resolve, reject) => {
    let ended = false;
    let settled = false;
    // The sink's last write, finished before the copy counts as done.
    let writing: Promise<void> = Promise.resolve();
    const stop = (error?: unknown) => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', stop);
      source.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error('the request body failed'));
    };
    const onData = (chunk: Buffer) => {
      if (sink.bytes + chunk.length > limit) {
        source.pause();
        stop(new LimitExceeded());
        return;
      }
      source.pause();
      writing = sink.write(chunk).then(() => {
        if (!settled) source.resume();
      });
      writing.catch(stop);
    };
    const onEnd = () => {
      ended = true;
      writing.then(() => stop(), stop);
    };
    // The client went away before the end: the body is incomplete.
    const onClose = () => {
      if (!ended) stop(new Error('the request body ended early'));
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', stop);
    source.once('close', onClose);
  });
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

/** Read the request's upload (at most `limit` bytes), in memory or in a temporary file. */
export async function receiveUpload(
  request: FastifyRequest,
  limit: number,
  spillAt = spillBytes,
): Promise<ReceivedUpload> {
  const multipart = request.isMultipart();
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit && !multipart) {
    throw new PayloadTooLargeError(limit);
  }
  const sink = new Sink(spillAt);
  try {
    let filename: string | undefined;
    if (multipart) {
      const file = await request.file({ limits: { files: 1, fileSize: limit } });
      if (file !== undefined) {
        filename = file.filename;
        await copy(file.file, sink, limit);
        if (file.file.truncated) throw new PayloadTooLargeError(limit);
      }
    } else {
      await copy(request.body as Readable, sink, limit);
    }
    const source = await sink.finish();
    return {
      source,
      size: sink.bytes,
      ...(filename !== undefined && { filename }),
      discard: () => sink.discard(),
    };
  } catch (error) {
    await sink.discard();
    throw bodyError(error, limit, multipart);
  }
}
