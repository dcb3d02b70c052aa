// PLACEHOLDER: being implemented; replaced by the real scheme.
import type { VersionScheme } from '../../scheme.ts';

export const semver: VersionScheme<string> = {
  id: 'semver',
  displayName: 'semver',
  specUrls: [],
  ecosystems: [],
  parse: () => ({ ok: false, error: 'not implemented yet' }),
  compareParsed: () => 0,
};
