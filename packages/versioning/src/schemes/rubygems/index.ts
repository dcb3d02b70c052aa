// PLACEHOLDER: being implemented; replaced by the real scheme.
import type { VersionScheme } from '../../scheme.ts';

export const rubygems: VersionScheme<string> = {
  id: 'rubygems',
  displayName: 'rubygems',
  specUrls: [],
  ecosystems: [],
  parse: () => ({ ok: false, error: 'not implemented yet' }),
  compareParsed: () => 0,
};
