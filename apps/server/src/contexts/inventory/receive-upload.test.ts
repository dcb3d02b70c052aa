import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../http/error-handler.ts';
import { receiveUpload } from './receive-upload.ts';

const limit = 1000;
const boundary = 'patchgate-test-boundary';

function form(content: string, { close = true } = {}): string {
  return [
    `--${boundary}`,
    'Content-Disposition: form-data; name="file"; filename="status"',
    'Content-Type: application/octet-stream',
    '',
    content,
    ...(close ? [`--${boundary}--`, ''] : []),
  ].join('\r\n');
}

/** A real Fastify app with the upload route's body handling, the limit small enough to test. */
async function app() {
  const server = Fastify();
  registerErrorHandler(server, { allowedMethods: () => ['POST'] });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await server.register(multipart, { limits: { files: 1, fileSize: limit } });
  server.post<{ Querystring: { spill?: string } }>('/upload', async (request) => {
    const upload = await receiveUpload(request, limit, Number(request.query.spill ?? 100_000));
    try {
      const { source } = upload;
      return {
        size: upload.size,
        text:
          'path' in source
            ? await readFile(source.path, 'utf8')
            : Buffer.from(source.bytes).toString('utf8'),
        name: upload.filename,
        onDisk: 'path' in source,
      };
    } finally {
      await upload.discard();
    }
  });
  await server.ready();
  return server;
}

describe('receiveUpload', () => {
  let server: Awaited<ReturnType<typeof app>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    [
      'a plain body in memory',
      'text/plain',
      'x'.repeat(limit),
      '',
      { size: limit, text: 'x'.repeat(limit), onDisk: false },
    ],
    [
      'a plain body past the spill size to a file',
      'text/plain',
      'x'.repeat(limit),
      '?spill=100',
      { size: limit, text: 'x'.repeat(limit), onDisk: true },
    ],
    [
      'a multipart form in memory',
      `multipart/form-data; boundary=${boundary}`,
      form('Package: zlib1g\n'),
      '',
      { size: 16, text: 'Package: zlib1g\n', name: 'status', onDisk: false },
    ],
    [
      'a multipart form past the spill size to a file',
      `multipart/form-data; boundary=${boundary}`,
      form('Package: zlib1g\n'.repeat(50)),
      '?spill=100',
      { size: 800, text: 'Package: zlib1g\n'.repeat(50), name: 'status', onDisk: true },
    ],
  ])('receives %s', async (_what, contentType, payload, query, want) => {
    server = await app();
    const response = await server.inject({
      method: 'POST',
      url: `/upload${query}`,
      headers: { 'content-type': contentType },
      payload,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual(want);
  });

  it.each([
    ['a declared length over the limit', 'text/plain', 'x'.repeat(limit + 1)],
    [
      'a chunked body over the limit',
      'text/plain',
      () => Readable.from(['x'.repeat(600), 'x'.repeat(600)]),
    ],
    [
      'a multipart file over the limit',
      `multipart/form-data; boundary=${boundary}`,
      form('x'.repeat(limit + 1)),
    ],
  ] as const)('answers 413 problem+json for %s', async (_what, contentType, payload) => {
    server = await app();
    const response = await server.inject({
      method: 'POST',
      url: '/upload?spill=100',
      headers: { 'content-type': contentType },
      payload: typeof payload === 'function' ? payload() : payload,
    });
    expect(response.statusCode, response.body).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it.each([
    ['without its closing boundary', form('Package: zlib1g\n', { close: false })],
    ['cut in the middle of its headers', form('Package: zlib1g\n').slice(0, 40)],
  ])('answers 400 problem+json for a multipart form %s', async (_what, payload) => {
    server = await app();
    const response = await server.inject({
      method: 'POST',
      url: '/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'bad_request',
      detail: expect.stringContaining('multipart form cannot be read') as unknown,
    });
  });
});
