import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confinePath, realRoots } from './confine.ts';

const temp = mkdtempSync(join(tmpdir(), 'patchgate-confine-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const root = join(temp, 'root');
const outside = join(temp, 'outside');
mkdirSync(join(root, 'osv'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(root, 'osv', 'a.json'), '{}');
writeFileSync(join(outside, 'secret'), 'x');
symlinkSync(outside, join(root, 'escape'));
symlinkSync(join(outside, 'secret'), join(root, 'secret-link'));
symlinkSync(join(root, 'osv', 'a.json'), join(root, 'inner-link'));

describe('confinePath', () => {
  it.each([
    ['a file inside', 'osv/a.json', { ok: true, path: 'osv/a.json' }],
    ['the root itself', '.', { ok: true, path: '.' }],
    ['a link to a file inside', 'inner-link', { ok: true, path: 'osv/a.json' }],
    ['a missing file inside', 'osv/b.json', { ok: false, reason: 'missing' }],
    ['a missing directory inside', 'nope/b.json', { ok: false, reason: 'missing' }],
    ['.. out to an existing file', 'osv/../../outside/secret', { ok: false, reason: 'outside' }],
    ['.. out to a missing file', '../outside/absent', { ok: false, reason: 'outside' }],
    ['a link to a file outside', 'secret-link', { ok: false, reason: 'outside' }],
    ['through a link to a directory outside', 'escape/secret', { ok: false, reason: 'outside' }],
    ['through a link to a missing file outside', 'escape/absent', { ok: false, reason: 'outside' }],
    ['/etc/shadow', '/etc/shadow', { ok: false, reason: 'outside' }],
    ['/proc/self/environ', '/proc/self/environ', { ok: false, reason: 'outside' }],
    ['a missing absolute path', '/no/such/place', { ok: false, reason: 'outside' }],
  ] as const)('%s', async (_, path, expected) => {
    const roots = await realRoots([root]);
    const result = await confinePath(path.startsWith('/') ? path : join(root, path), roots);
    if (!expected.ok) expect(result).toEqual(expected);
    else {
      const [real] = await realRoots([join(root, expected.path)]);
      expect(result).toEqual({ ok: true, path: real });
    }
  });
});
