// PLACEHOLDER: being implemented; replaced by the real scheme.
import type { VersionScheme } from '../../scheme.ts';

export const debian: VersionScheme<string> = {
  id: 'debian',
  displayName: 'debian',
  specUrls: [],
  ecosystems: [],
  parse: () => ({ ok: false, error: 'not implemented yet' }),
  compareParsed: () => 0,
};
