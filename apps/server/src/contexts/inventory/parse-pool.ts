/**
 * Upload parsing off the event loop: one long-lived worker thread (started on first use,
 * unref'd, stopped with the app) runs parse-upload.ts, so `/healthz` and every other request
 * keep being answered while a 50 MB inventory is decompressed, decoded and parsed.
 *
 * The worker's script: `inventory-parse-worker.mjs` beside the bundled CLI, or this folder's
 * `parse-worker.ts` when the server runs from source (loaded through tsx's loader, which a
 * worker thread does not inherit on Node 20). Without either, uploads are parsed in-process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseRequest, ParseResponse } from './parse-upload.ts';
import { parseUpload } from './parse-upload.ts';

type Reply =
  | { readonly id: number; readonly response: ParseResponse }
  | { readonly id: number; readonly error: string };

interface Pending {
  resolve(response: ParseResponse): void;
  reject(error: Error): void;
}

/** How the worker thread is started here, or undefined: parse in-process. */
function workerSource(): { code: string; eval: true } | { file: URL } | undefined {
  const bundled = new URL('./inventory-parse-worker.mjs', import.meta.url);
  if (existsSync(fileURLToPath(bundled))) return { file: bundled };
  const source = new URL('./parse-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) return undefined;
  let tsx: string;
  try {
    const api = createRequire(import.meta.url).resolve('tsx/esm/api');
    tsx = pathToFileURL(join(dirname(api), 'index.mjs')).href;
  } catch {
    return undefined;
  }
  return {
    eval: true,
    code: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`,
  };
}

export class InventoryParser {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly source = workerSource();

  constructor(private readonly inlineBytes = 1024 * 1024) {}

  /** True when uploads are parsed in a worker thread (false: in-process fallback). */
  get threaded(): boolean {
    return this.source !== undefined;
  }

  /**
   * Parse an upload: in the worker thread, except a small one held in memory (`inlineBytes`,
   * 1 MiB by default: a host's dpkg status parses in milliseconds, less than the hop costs).
   */
  parse(request: ParseRequest): Promise<ParseResponse> {
    const { source } = request;
    if ('bytes' in source && source.bytes.byteLength <= this.inlineBytes)
      return parseUpload(request);
    const worker = this.start();
    if (worker === undefined) return parseUpload(request);
    const id = this.nextId++;
    return new Promise<ParseResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // keep the process up while a parse is in flight
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || this.source === undefined) return this.worker;
    const worker =
      'file' in this.source
        ? new Worker(this.source.file)
        : new Worker(this.source.code, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(reply.response);
    });
    const fail = (error: Error) => {
      // The worker died (out of memory, say): fail what it held; the next parse starts another.
      if (this.worker === worker) this.worker = undefined;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the inventory parser stopped (exit ${code})`)));
    this.worker = worker;
    return worker;
  }
}
