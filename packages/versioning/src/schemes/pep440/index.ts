/**
 * PEP 440 / PyPA "Version specifiers": the versions of PyPI packages, read and ordered as
 * `packaging.version.Version` does. See ./readme.md for the rules and deviations.
 */
import type { VersionScheme } from '../../scheme.ts';
import { comparePep440, parsePep440 } from './pep440-version.ts';
import type { Pep440Version } from './pep440-version.ts';

export type { Pep440Version, PreReleaseLabel } from './pep440-version.ts';
export { comparePep440, formatPep440 } from './pep440-version.ts';

export const pep440: VersionScheme<Pep440Version> = {
  id: 'pep440',
  displayName: 'PEP 440 (Python)',
  specUrls: [
    'https://packaging.python.org/en/latest/specifications/version-specifiers/',
    'https://peps.python.org/pep-0440/',
    'https://github.com/pypa/packaging/blob/main/src/packaging/version.py',
  ],
  ecosystems: ['PyPI'],
  parse: parsePep440,
  compareParsed: comparePep440,
};
