import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../test/app.ts';
import { testDatabases } from '../../test/databases.ts';
import type { App } from '../app.ts';
import type { Database } from '../db/database.ts';

const sqlite = testDatabases()[0];
const webRoot = mkdtempSync(join(tmpdir(), 'patchgate-web-root-'));
const bundle = `console.log(${JSON.stringify('x'.repeat(4000))});`;

describe('the web application at /', () => {
  let database: Database;
  let built: App;
  let bare: App;
  beforeAll(async () => {
    mkdirSync(join(webRoot, 'static'));
    writeFileSync(
      join(webRoot, 'index.html'),
      '<!doctype html><title>Patchgate</title><div id="root"></div>',
    );
    writeFileSync(join(webRoot, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(webRoot, 'static', 'index-abc123.js'), bundle);
    writeFileSync(join(webRoot, 'static', 'index-abc123.css'), 'body{margin:0}');
    writeFileSync(join(webRoot, 'static', '.hidden.js'), 'secret');
    writeFileSync(join(webRoot, 'secret.txt'), 'not served');
    database = await (sqlite?.open() ?? Promise.reject(new Error('no SQLite')));
    built = await testApp(database, undefined, { webRoot });
    bare = await testApp(database, undefined, {});
  });
  afterAll(async () => {
    await built.app.close();
    await bare.app.close();
    await database.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers every screen URL with index.html, never cached, under the strict policy', async () => {
    for (const url of [
      '/',
      '/login',
      '/findings',
      '/findings/123?selected=1',
      '/admin/users',
      '/changes/CHG-0001/plan',
    ]) {
      const response = await built.app.inject(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<div id="root">');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it("confines 'unsafe-inline' to the API docs", async () => {
    const docs = await built.app.inject('/docs/');
    expect(String(docs.headers['content-security-policy'])).toContain(
      "script-src 'self' 'unsafe-inline'",
    );
    for (const url of ['/api/v1/session', '/healthz', '/openapi.json', '/static/index-abc123.js'])
      expect(
        String((await built.app.inject(url)).headers['content-security-policy']),
        url,
      ).not.toContain('unsafe-inline');
  });

  it('serves the hashed files for a year, gzipped when asked, and nothing else', async () => {
    const plain = await built.app.inject('/static/index-abc123.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toBe(bundle);
    const zipped = await built.app.inject({
      url: '/static/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(bundle);
    expect(zipped.rawPayload.length).toBeLessThan(bundle.length / 10);
    expect((await built.app.inject('/static/index-abc123.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await built.app.inject('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    for (const url of [
      '/static/nothing.js',
      '/static/.hidden.js',
      '/static/..%2Fsecret.txt',
      '/static/../secret.txt',
      '/secret.txt',
      '/index.html/../secret.txt',
    ]) {
      const response = await built.app.inject(url);
      expect(response.statusCode, url).toBe(404);
      // The files' contents never appear (a 404 may name the path asked for).
      expect(response.body, url).not.toContain('not served');
      expect(response.body, url).not.toMatch(/^secret$/m);
    }
  });

  it('keeps API paths API: an unknown API URL is a problem, not the application', async () => {
    const response = await built.app.inject('/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not_found' });
    expect((await built.app.inject({ method: 'POST', url: '/findings' })).statusCode).toBe(405);
  });

  it('says how to build the application when it is not built', async () => {
    const response = await bare.app.inject('/findings');
    expect(response.statusCode).toBe(503);
    expect(response.body).toMatch(/not built.*npm run build/s);
    expect((await bare.app.inject('/static/index-abc123.js')).statusCode).toBe(404);
  });
});
