// PLACEHOLDER: being implemented; replaced by the real scheme.
import type { VersionScheme } from '../../scheme.ts';

export const pep440: VersionScheme<string> = {
  id: 'pep440',
  displayName: 'pep440',
  specUrls: [],
  ecosystems: [],
  parse: () => ({ ok: false, error: 'not implemented yet' }),
  compareParsed: () => 0,
};
