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
