/**
 * The web application (apps/web), served on the API's origin so the session cookie and the
 * CSRF token work as they do for the API: hashed files under `/static/` (cached for a year, they
 * never change under one name), `index.html` for every screen's URL (the browser's router takes
 * over; never cached, so a new release is picked up), and the strict Content-Security-Policy
 * both share. Only `/docs` (Swagger UI needs inline scripts and styles) gets a looser policy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The UI's top-level paths (apps/web/src/app/routes.tsx); each also with sub-paths. */
export const uiSections = [
  'login',
  'assets',
  'findings',
  'exceptions',
  'advisories',
  'changes',
  'cab',
  'calendar',
  'rollouts',
  'audit',
  'admin',
  'reports',
  'improvements',
  'autopilot',
] as const;

/** No inline script or style, no plugin, no framing, requests to this origin only. */
export const strictContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI's page at /docs writes inline scripts and styles: allowed there only. */
export const docsContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isDocs = (url: string) =>
  url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');

/** Loosen the policy for /docs only (helmet sets the strict one on every response). */
export function registerDocsPolicy(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (isDocs(request.url)) reply.header('content-security-policy', docsContentSecurityPolicy);
    done(null, payload);
  });
}

const notBuilt = (webRoot: string | undefined) =>
  `Patchgate's web application is not built${webRoot === undefined ? '' : ` (no index.html in ${webRoot})`}.\n` +
  'Build it with "npm run build" in the repository (npm install does this), or set PATCHGATE_WEB_ROOT to a built apps/web/dist.\n' +
  'The API works without it: /docs, /api/v1/…, and the CLI (npx patchgate).\n';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};
const compressible = new Set(['.js', '.css', '.map', '.svg', '.json']);

interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
  /** gzip of body for text files (computed once at start-up). */
  readonly gzip?: Buffer;
}

/**
 * The build's files, read once at start-up (a few hundred KB): a request can only name a file
 * in this table, so no path from a URL ever reaches the file system.
 */
function readStaticFiles(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(directory)) return files;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const extension = extname(entry.name);
    const type = contentTypes[extension];
    if (type === undefined) continue;
    const body = readFileSync(join(directory, entry.name));
    files.set(entry.name, {
      type,
      body,
      ...(compressible.has(extension) &&
        body.length > 1024 && { gzip: gzipSync(body, { level: 9 }) }),
    });
  }
  return files;
}

const acceptsGzip = (header: string | string[] | undefined) =>
  /\bgzip\b/.test([header ?? ''].flat().join(','));

/** Serve the UI from `webRoot` (apps/web/dist); without one, its URLs say how to build it. */
export function registerWebUi(app: FastifyInstance, webRoot: string | undefined): void {
  const indexPath = webRoot === undefined ? undefined : join(webRoot, 'index.html');
  const index =
    indexPath !== undefined && existsSync(indexPath) ? readFileSync(indexPath) : undefined;
  const options = { config: { access: 'public' }, schema: { hide: true } } as const;

  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) => {
    if (index === undefined)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(notBuilt(webRoot));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  app.get('/', options, sendIndex);
  for (const section of uiSections) {
    app.get(`/${section}`, options, sendIndex);
    app.get(`/${section}/*`, options, sendIndex);
  }
  if (webRoot === undefined || index === undefined) return;

  const rootFiles = readStaticFiles(webRoot);
  const favicon = rootFiles.get('favicon.svg');
  if (favicon !== undefined)
    app.get('/favicon.svg', options, (_request, reply) =>
      reply.type(favicon.type).header('cache-control', 'public, max-age=86400').send(favicon.body),
    );

  const files = readStaticFiles(join(webRoot, 'static'));
  app.get<{ Params: { file: string } }>('/static/:file', options, (request, reply) => {
    const file = files.get(request.params.file);
    if (file === undefined)
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('Not found: this file is not part of the running release (reload the page).\n');
    reply
      .type(file.type)
      // Names carry a content hash (Vite): a file under one name never changes.
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'accept-encoding');
    if (file.gzip !== undefined && acceptsGzip(request.headers['accept-encoding']))
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  });
}
