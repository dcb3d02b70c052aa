import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';

const MiB = 1024 * 1024;

describe('advisory file settings', () => {
  it('defaults to <dataDir>/advisories and 64 MiB / 2 GiB / 1,000,000 entries', () => {
    const result = configFromEnv({ PATCHGATE_DATA_DIR: 'data' }, '/srv');
    expect(result.ok && result.config.advisoryFiles).toEqual({
      roots: ['/srv/data/advisories'],
      maxEntryBytes: 64 * MiB,
      maxTotalBytes: 2048 * MiB,
      maxEntries: 1_000_000,
    });
  });

  it('adds the roots of PATCHGATE_ADVISORY_ROOTS after the default, and reads the limits', () => {
    const result = configFromEnv(
      {
        PATCHGATE_ADVISORY_ROOTS: '/mnt/osv::mirrors/kev',
        PATCHGATE_ARCHIVE_MAX_ENTRY_MIB: '512',
        PATCHGATE_ARCHIVE_MAX_TOTAL_MIB: '8192',
        PATCHGATE_ARCHIVE_MAX_ENTRIES: '50',
      },
      '/srv',
    );
    expect(result.ok && result.config.advisoryFiles).toEqual({
      roots: ['/srv/patchgate-data/advisories', '/mnt/osv', '/srv/mirrors/kev'],
      maxEntryBytes: 512 * MiB,
      maxTotalBytes: 8192 * MiB,
      maxEntries: 50,
    });
  });

  it.each([
    ['PATCHGATE_ARCHIVE_MAX_ENTRY_MIB', 'lots'],
    ['PATCHGATE_ARCHIVE_MAX_TOTAL_MIB', '0'],
    ['PATCHGATE_ARCHIVE_MAX_ENTRIES', '-1'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    const result = configFromEnv({ [variable]: value }, '/srv');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(new RegExp(`^${variable}: `));
  });
});

describe('PATCHGATE_PUBLIC_URL', () => {
  const read = (value: string | undefined) =>
    configFromEnv(value === undefined ? {} : { PATCHGATE_PUBLIC_URL: value }, '/srv');

  it('is unset by default, and kept without its trailing slash', () => {
    const unset = read(undefined);
    expect(unset.ok && unset.config.publicUrl).toBeUndefined();
    const empty = read('');
    expect(empty.ok && empty.config.publicUrl).toBeUndefined();
    const set = read('https://patchgate.example.org/');
    expect(set.ok && set.config.publicUrl).toBe('https://patchgate.example.org');
    const prefixed = read('http://proxy.example.org:8080/patchgate/');
    expect(prefixed.ok && prefixed.config.publicUrl).toBe(
      'http://proxy.example.org:8080/patchgate',
    );
  });

  it.each([
    ['/patchgate', 'must be an absolute http:// or https:// URL'],
    ['patchgate.example.org', 'must be an absolute http:// or https:// URL'],
    ['ftp://patchgate.example.org', 'must be an absolute http:// or https:// URL'],
    ['https://patchgate.example.org/?x=1', 'must not have a query (?…) or a fragment (#…)'],
    ['https://patchgate.example.org/#top', 'must not have a query (?…) or a fragment (#…)'],
    ['https://me:secret@patchgate.example.org', 'must not carry a user name or password'],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(read(value)).toEqual({ ok: false, errors: [`PATCHGATE_PUBLIC_URL: ${message}`] });
  });
});
