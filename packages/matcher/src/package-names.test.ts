import { describe, expect, it } from 'vitest';
import { isDistributionEcosystem } from '@patchgate/versioning';
import { advisoriesNameSourcePackages, packageNameKey } from './package-names.ts';

describe('packageNameKey', () => {
  it.each([
    ['PyPI', 'Django_REST.framework', 'django-rest-framework'],
    ['PyPI', 'py', 'py'],
    ['NuGet', 'Newtonsoft.Json', 'newtonsoft.json'],
    ['Packagist', 'Laravel/Framework', 'laravel/framework'],
    ['npm', 'JSONStream', 'JSONStream'],
    ['Maven', 'org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:log4j-core'],
    ['Debian:12', 'openssl', 'openssl'],
  ])('%s %s → %s', (ecosystem, name, key) => {
    expect(packageNameKey(ecosystem, name)).toBe(key);
  });
});

describe('distribution ecosystems', () => {
  it.each([
    ['Debian:12', true, true],
    ['Ubuntu:22.04:LTS', true, true],
    ['Alpine:v3.20', true, true],
    ['AlmaLinux:9', true, false],
    ['npm', false, false],
  ])('%s: distribution %s, source-named %s', (ecosystem, distribution, bySource) => {
    expect(isDistributionEcosystem(ecosystem)).toBe(distribution);
    expect(advisoriesNameSourcePackages(ecosystem)).toBe(bySource);
  });
});
