/**
 * Turning an uploaded file into an inventory: gunzip when gzip, strict UTF-8, the format
 * (detected or given), and the evidence kept with the snapshot (the text gzip-compressed,
 * its SHA-256 and size). The CPU-heavy half of an upload: it runs in a worker thread
 * (parse-worker.ts), so a 50 MB upload does not stall the server's other requests.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { InstalledPackage, OsRelease } from '@patchgate/inventory';
import { readInventory } from '@patchgate/inventory';

/** A received upload: small ones in memory, big ones in a temporary file. */
export type UploadSource = { readonly bytes: Uint8Array } | { readonly path: string };

export interface ParseRequest {
  readonly source: UploadSource;
  readonly format?: string | undefined;
  /** The file name: used for detection. */
  readonly name: string;
  /** The largest text accepted after gzip decoding. */
  readonly maxTextBytes: number;
}

/** The raw upload as stored: evidence of what the asset reported. */
export interface RawEvidence {
  readonly gzip: Uint8Array;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
}

export type ParseResponse =
  | {
      readonly ok: true;
      readonly format: string;
      readonly os: OsRelease | undefined;
      readonly packages: InstalledPackage[];
      readonly warnings: string[];
      readonly raw: RawEvidence;
    }
  | {
      readonly ok: false;
      /** 413: the text is larger than allowed; 422: not readable as an inventory. */
      readonly status: 413 | 422;
      readonly message: string;
      readonly fieldMessage: string;
    };

function mediaTypeOf(text: string): string {
  const first = text.trimStart()[0];
  return first === '{' || first === '['
    ? 'application/json'
    : first === '<'
      ? 'application/xml'
      : 'text/plain; charset=utf-8';
}

/** The evidence of a text upload: compressed, hashed, measured. */
export function rawEvidence(text: string, mediaType = mediaTypeOf(text)): RawEvidence {
  const bytes = Buffer.from(text, 'utf8');
  return {
    // A plain Uint8Array, as it arrives from the worker thread (structured clone).
    gzip: new Uint8Array(gzipSync(bytes)),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    mediaType,
  };
}

type Decoded = { ok: true; text: string } | Extract<ParseResponse, { ok: false }>;

/** Bytes of a raw upload → text: gunzipped when gzip, strictly UTF-8. */
export function decodeUploadBytes(body: Buffer, maxTextBytes: number): Decoded {
  let bytes = body;
  if (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b) {
    try {
      bytes = gunzipSync(body, { maxOutputLength: maxTextBytes });
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      return tooLarge
        ? {
            ok: false,
            status: 413,
            message: `body: the inventory is larger than ${maxTextBytes} bytes once decompressed`,
            fieldMessage: `is larger than ${maxTextBytes} bytes once decompressed`,
          }
        : {
            ok: false,
            status: 422,
            message: `body: the gzip stream cannot be read (${(error as Error).message})`,
            fieldMessage: 'is not a readable gzip stream',
          };
    }
  }
  if (bytes.length > maxTextBytes) {
    return {
      ok: false,
      status: 413,
      message: `body: the inventory is larger than ${maxTextBytes} bytes`,
      fieldMessage: `is larger than ${maxTextBytes} bytes`,
    };
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return {
      ok: false,
      status: 422,
      message: 'body: the inventory is not UTF-8 text',
      fieldMessage: 'is not UTF-8 text',
    };
  }
}

export async function parseUpload(request: ParseRequest): Promise<ParseResponse> {
  const { source } = request;
  const body =
    'path' in source
      ? await readFile(source.path)
      : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
  const decoded = decodeUploadBytes(body, request.maxTextBytes);
  if (!decoded.ok) return decoded;
  const { text } = decoded;
  const result = readInventory({ path: request.name, text }, request.format);
  if (!result.ok) {
    return { ok: false, status: 422, message: result.error, fieldMessage: result.error };
  }
  const { inventory } = result;
  return {
    ok: true,
    format: inventory.format,
    os: inventory.os,
    packages: [...inventory.packages],
    warnings: [...inventory.warnings],
    raw: rawEvidence(text),
  };
}
