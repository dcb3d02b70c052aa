/**
 * Every installed package accepts the oldest Node.js the project supports (the root
 * package.json's `engines`): otherwise `npm install` warns EBADENGINE and the package may use
 * what that Node lacks. Read from package-lock.json, which records each package's `engines`.
 */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const read = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')) as unknown;

describe('dependencies', () => {
  it('all accept the oldest supported Node.js', () => {
    const root = read('package.json') as { engines: { node: string } };
    const oldest = semver.minVersion(root.engines.node)?.version;
    expect(oldest).toMatch(/^20\./);
    const lock = read('package-lock.json') as {
      packages: Record<string, { version?: string; engines?: unknown }>;
    };
    const excluding = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = (entry.engines as { node?: unknown } | undefined)?.node;
      return typeof range === 'string' && !semver.satisfies(oldest ?? '', range)
        ? [`${path}@${entry.version ?? '?'} wants node ${range}`]
        : [];
    });
    expect(excluding).toEqual([]);
  });
});
