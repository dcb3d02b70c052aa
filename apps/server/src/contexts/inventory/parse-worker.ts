/**
 * The worker thread that parses uploads (parse-pool.ts starts it): one request at a time,
 * answered on the same port. Bundled beside the CLI as `inventory-parse-worker.mjs`.
 */
import { parentPort } from 'node:worker_threads';
import type { ParseRequest } from './parse-upload.ts';
import { parseUpload } from './parse-upload.ts';

interface Message {
  readonly id: number;
  readonly request: ParseRequest;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (message: Message) => {
    parseUpload(message.request).then(
      (response) => port.postMessage({ id: message.id, response }),
      (error: unknown) => {
        port.postMessage({
          id: message.id,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    );
  });
}
