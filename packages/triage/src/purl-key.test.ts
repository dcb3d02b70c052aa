import { describe, expect, it } from 'vitest';
import type { PurlKey } from './purl-key.ts';
import { packagePurlKey, purlKey } from './purl-key.ts';

describe('purlKey', () => {
  it.each<[string, PurlKey | undefined]>([
    [
      'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar',
      {
        type: 'maven',
        namespace: 'com.fasterxml.jackson.core',
        name: 'jackson-databind',
        version: '2.10.0',
      },
    ],
    [
      'pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=ubuntu-22.04',
      { type: 'deb', namespace: 'ubuntu', name: 'libstdc++6', version: '12.3.0-1ubuntu1~22.04' },
    ],
    ['pkg:deb/debian/bash', { type: 'deb', namespace: 'debian', name: 'bash' }],
    [
      'pkg:npm/%40babel/core@7.0.0',
      { type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' },
    ],
    [
      'pkg:PyPI/Django_Rest@1.0',
      { type: 'pypi', namespace: '', name: 'django-rest', version: '1.0' },
    ],
    [
      'pkg:deb/debian/openssl@1%3A3.0.2-1#sub/path',
      { type: 'deb', namespace: 'debian', name: 'openssl', version: '1:3.0.2-1' },
    ],
    ['product-ABC', undefined],
    ['pkg:npm', undefined],
    ['pkg:npm/%E0%A4%A@1', undefined],
  ])('%s', (input, expected) => {
    expect(purlKey(input)).toEqual(expected);
  });
});

describe('packagePurlKey', () => {
  it.each<[Parameters<typeof packagePurlKey>[0], PurlKey | undefined]>([
    [
      { ecosystem: 'npm', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash' },
      { type: 'npm', namespace: '', name: 'lodash', version: '4.17.20' },
    ],
    [
      { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' },
      {
        type: 'maven',
        namespace: 'org.apache.logging.log4j',
        name: 'log4j-core',
        version: '2.14.1',
      },
    ],
    [
      { ecosystem: 'npm', name: '@babel/core', version: '7.0.0' },
      { type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' },
    ],
    [
      { ecosystem: 'Debian:12', name: 'OpenSSL', version: '3.0.15-1~deb12u1' },
      { type: 'deb', namespace: 'debian', name: 'openssl', version: '3.0.15-1~deb12u1' },
    ],
    [
      { ecosystem: 'Go', name: 'golang.org/x/crypto', version: 'v0.28.0' },
      { type: 'golang', namespace: 'golang.org/x', name: 'crypto', version: 'v0.28.0' },
    ],
    [{ ecosystem: 'Hackage', name: 'aeson', version: '2.0' }, undefined],
  ])('%j', (pkg, expected) => {
    expect(packagePurlKey(pkg)).toEqual(expected);
  });
});
