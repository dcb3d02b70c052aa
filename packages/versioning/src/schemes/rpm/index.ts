// PLACEHOLDER: being implemented; replaced by the real scheme.
import type { VersionScheme } from '../../scheme.ts';

export const rpm: VersionScheme<string> = {
  id: 'rpm',
  displayName: 'rpm',
  specUrls: [],
  ecosystems: [],
  parse: () => ({ ok: false, error: 'not implemented yet' }),
  compareParsed: () => 0,
};
