import { describe, expect, it } from 'vitest';
import {
  formatPurl,
  installedFromPurl,
  parsePurl,
  purlToPackage,
  purlTypeForEcosystem,
} from './purl.ts';

// Cases from the purl spec's test suite (package-url/purl-spec test-suite-data.json, MIT),
// restricted to the generic rules and the types this module normalises.
describe('parsePurl: purl-spec test suite', () => {
  it.each([
    [
      'pkg:maven/org.apache.commons/io@1.3.4',
      {
        type: 'maven',
        namespace: 'org.apache.commons',
        name: 'io',
        version: '1.3.4',
        qualifiers: {},
      },
    ],
    [
      'pkg:maven/org.apache.commons/io',
      { type: 'maven', namespace: 'org.apache.commons', name: 'io', qualifiers: {} },
    ],
    [
      'pkg:GOLANG/google.golang.org/genproto@abcdedf#/googleapis/api/annotations/',
      {
        type: 'golang',
        namespace: 'google.golang.org',
        name: 'genproto',
        version: 'abcdedf',
        qualifiers: {},
        subpath: 'googleapis/api/annotations',
      },
    ],
    [
      'pkg:github/Package-url/purl-Spec@244fd47e07d1004f0aed9c',
      {
        type: 'github',
        namespace: 'package-url',
        name: 'purl-spec',
        version: '244fd47e07d1004f0aed9c',
        qualifiers: {},
      },
    ],
    [
      'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie',
      {
        type: 'deb',
        namespace: 'debian',
        name: 'curl',
        version: '7.50.3-1',
        qualifiers: { arch: 'i386', distro: 'jessie' },
      },
    ],
    [
      'pkg:docker/customer/dockerimage@sha256:244fd47e07d1004f0aed9c?repository_url=gcr.io',
      {
        type: 'docker',
        namespace: 'customer',
        name: 'dockerimage',
        version: 'sha256:244fd47e07d1004f0aed9c',
        qualifiers: { repository_url: 'gcr.io' },
      },
    ],
    [
      'pkg:gem/jruby-launcher@1.1.2?Platform=java',
      { type: 'gem', name: 'jruby-launcher', version: '1.1.2', qualifiers: { platform: 'java' } },
    ],
    [
      'pkg:Maven/org.apache.xmlgraphics/batik-anim@1.9.1?repositorY_url=repo.spring.io/release&classifier=sources',
      {
        type: 'maven',
        namespace: 'org.apache.xmlgraphics',
        name: 'batik-anim',
        version: '1.9.1',
        qualifiers: { classifier: 'sources', repository_url: 'repo.spring.io/release' },
      },
    ],
    [
      'pkg:npm/%40angular/animation@12.3.1',
      { type: 'npm', namespace: '@angular', name: 'animation', version: '12.3.1', qualifiers: {} },
    ],
    [
      'pkg:Nuget/EnterpriseLibrary.Common@6.0.1304',
      { type: 'nuget', name: 'EnterpriseLibrary.Common', version: '6.0.1304', qualifiers: {} },
    ],
    [
      'pkg:PYPI/Django_package@1.11.1.dev1',
      { type: 'pypi', name: 'django-package', version: '1.11.1.dev1', qualifiers: {} },
    ],
    [
      'pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25',
      {
        type: 'rpm',
        namespace: 'fedora',
        name: 'curl',
        version: '7.50.3-1.fc25',
        qualifiers: { arch: 'i386', distro: 'fedora-25' },
      },
    ],
    [
      'pkg:/maven/org.apache.commons/io',
      { type: 'maven', namespace: 'org.apache.commons', name: 'io', qualifiers: {} },
    ],
    [
      'pkg://maven/org.apache.commons/io',
      { type: 'maven', namespace: 'org.apache.commons', name: 'io', qualifiers: {} },
    ],
    [
      'pkg:///maven/org.apache.commons/io',
      { type: 'maven', namespace: 'org.apache.commons', name: 'io', qualifiers: {} },
    ],
    [
      'pkg:maven/HTTPClient/HTTPClient@0.3-3',
      {
        type: 'maven',
        namespace: 'HTTPClient',
        name: 'HTTPClient',
        version: '0.3-3',
        qualifiers: {},
      },
    ],
    [
      'pkg:maven/mygroup/myartifact@1.0.0%20Final?mykey=my%20value',
      {
        type: 'maven',
        namespace: 'mygroup',
        name: 'myartifact',
        version: '1.0.0 Final',
        qualifiers: { mykey: 'my value' },
      },
    ],
    [
      'pkg:swift/github.com/Alamofire/Alamofire@5.4.3',
      {
        type: 'swift',
        namespace: 'github.com/Alamofire',
        name: 'Alamofire',
        version: '5.4.3',
        qualifiers: {},
      },
    ],
    [
      'pkg:npm/packageurl-js@0.0.7?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fpackage-url%2Fpackageurl-js.git',
      {
        type: 'npm',
        name: 'packageurl-js',
        version: '0.0.7',
        qualifiers: { vcs_url: 'git+https://github.com/package-url/packageurl-js.git' },
      },
    ],
  ])('%s', (text, expected) => {
    expect(parsePurl(text)).toEqual({ ok: true, purl: expected });
  });

  it.each([
    ['EnterpriseLibrary.Common@6.0.1304', 'does not start with the "pkg:" scheme'],
    ['pkg:EnterpriseLibrary.Common@6.0.1304', 'has no type'],
    ['pkg:maven/@1.3.4', 'has no name'],
    ['pkg:npm/myartifact@1.0.0?in%20production=true', 'invalid qualifier key'],
    ['pkg:swift/Alamofire@5.4.3', 'needs a namespace and a version'],
    ['pkg:swift/github.com/Alamofire/Alamofire', 'needs a namespace and a version'],
    ['pkg:cran/A3', 'needs a version'],
    ['pkg:hackage', 'has no type'],
    ['pkg:npm/foo@1.0.0%', 'invalid percent-encoding'],
    ['', 'empty purl'],
  ])('rejects %j', (text, message) => {
    const result = parsePurl(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

describe('formatPurl', () => {
  it.each([
    'pkg:npm/%40angular/animation@12.3.1',
    'pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io%2Frelease',
    'pkg:golang/google.golang.org/genproto@abcdedf#googleapis/api/annotations',
    'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12',
    'pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&distro=centos-7.6.1810&epoch=1',
  ])('round-trips %s', (text) => {
    const parsed = parsePurl(text);
    expect(parsed.ok && formatPurl(parsed.purl)).toBe(text);
  });

  it('sorts qualifiers and encodes reserved characters', () => {
    expect(
      formatPurl({
        type: 'deb',
        namespace: 'debian',
        name: 'bash',
        version: '5.2+dfsg-1',
        qualifiers: { distro: 'debian-12', arch: 'amd64' },
      }),
    ).toBe('pkg:deb/debian/bash@5.2%2Bdfsg-1?arch=amd64&distro=debian-12');
  });
});

describe('purlToPackage', () => {
  it.each([
    ['pkg:npm/%40babel/core@7.24.0', { ecosystem: 'npm', name: '@babel/core', version: '7.24.0' }],
    ['pkg:npm/lodash@4.17.21', { ecosystem: 'npm', name: 'lodash', version: '4.17.21' }],
    ['pkg:pypi/Jinja2@3.1.2', { ecosystem: 'PyPI', name: 'jinja2', version: '3.1.2' }],
    [
      'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10?type=jar',
      {
        ecosystem: 'Maven',
        name: 'com.fasterxml.jackson.core:jackson-databind',
        version: '2.9.10',
      },
    ],
    [
      'pkg:golang/github.com/ProtonMail/go-crypto@v0.0.0-20210428141323-04723f9f07d7',
      {
        ecosystem: 'Go',
        name: 'github.com/ProtonMail/go-crypto',
        version: 'v0.0.0-20210428141323-04723f9f07d7',
      },
    ],
    [
      'pkg:golang/golang.org/x/net@v0.17.0#http2',
      { ecosystem: 'Go', name: 'golang.org/x/net', version: 'v0.17.0' },
    ],
    ['pkg:cargo/tokio@1.19.2', { ecosystem: 'crates.io', name: 'tokio', version: '1.19.2' }],
    [
      'pkg:gem/activesupport@6.0.2.1',
      { ecosystem: 'RubyGems', name: 'activesupport', version: '6.0.2.1' },
    ],
    [
      'pkg:nuget/Newtonsoft.Json@13.0.1',
      { ecosystem: 'NuGet', name: 'Newtonsoft.Json', version: '13.0.1' },
    ],
    [
      'pkg:composer/laravel/framework@v7.12.0',
      { ecosystem: 'Packagist', name: 'laravel/framework', version: 'v7.12.0' },
    ],
    ['pkg:hex/phoenix@1.7.0', { ecosystem: 'Hex', name: 'phoenix', version: '1.7.0' }],
    ['pkg:pub/http@1.1.0', { ecosystem: 'Pub', name: 'http', version: '1.1.0' }],
    [
      'pkg:swift/github.com/apple/swift-nio@2.40.0',
      { ecosystem: 'SwiftURL', name: 'github.com/apple/swift-nio', version: '2.40.0' },
    ],
    [
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12',
      {
        ecosystem: 'Debian:12',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        sourceName: 'openssl',
        arch: 'amd64',
        distroRelease: {
          id: 'debian',
          versionId: '12',
          ecosystem: 'Debian:12',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&upstream=gcc-12%4012.2.0-14&distro=bookworm',
      {
        ecosystem: 'Debian:12',
        name: 'libgcc-s1',
        version: '12.2.0-14',
        sourceName: 'gcc-12',
        sourceVersion: '12.2.0-14',
        arch: 'amd64',
        distroRelease: {
          id: 'debian',
          versionId: 'bookworm',
          ecosystem: 'Debian:12',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04',
      {
        ecosystem: 'Ubuntu:22.04:LTS',
        name: 'bash',
        version: '5.1-6ubuntu1',
        distroRelease: {
          id: 'ubuntu',
          versionId: '22.04',
          ecosystem: 'Ubuntu:22.04:LTS',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    ['pkg:deb/debian/curl@7.88.1-10', { ecosystem: 'Debian', name: 'curl', version: '7.88.1-10' }],
    [
      'pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810',
      {
        ecosystem: 'Red Hat',
        name: 'openssl-libs',
        version: '1:1.0.2k-16.el7',
        arch: 'x86_64',
        distroRelease: { id: 'centos', versionId: '7.6.1810', evidence: 'purl distro qualifier' },
      },
    ],
    [
      'pkg:rpm/almalinux/openssl@3.0.7-27.el9?arch=x86_64&epoch=1&distro=almalinux-9.4',
      {
        ecosystem: 'AlmaLinux:9',
        name: 'openssl',
        version: '1:3.0.7-27.el9',
        arch: 'x86_64',
        distroRelease: {
          id: 'almalinux',
          versionId: '9.4',
          ecosystem: 'AlmaLinux:9',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:rpm/rocky/bash@5.1.8-6.el9_1?arch=x86_64&distro=rocky-9.3',
      {
        ecosystem: 'Rocky Linux:9',
        name: 'bash',
        version: '5.1.8-6.el9_1',
        arch: 'x86_64',
        distroRelease: {
          id: 'rocky',
          versionId: '9.3',
          ecosystem: 'Rocky Linux:9',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.1',
      {
        ecosystem: 'Red Hat',
        name: 'bash',
        version: '5.1.8-6.el9',
        arch: 'x86_64',
        distroRelease: { id: 'rhel', versionId: '9.1', evidence: 'purl distro qualifier' },
      },
    ],
    [
      'pkg:rpm/opensuse/libopenssl3@3.0.8-150500.5.8.1?distro=opensuse-leap-15.5&epoch=0',
      {
        ecosystem: 'openSUSE:Leap 15.5',
        name: 'libopenssl3',
        version: '3.0.8-150500.5.8.1',
        distroRelease: {
          id: 'opensuse-leap',
          versionId: '15.5',
          ecosystem: 'openSUSE:Leap 15.5',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&upstream=openssl&distro=alpine-3.20.1',
      {
        ecosystem: 'Alpine:v3.20',
        name: 'libcrypto3',
        version: '3.3.1-r0',
        sourceName: 'openssl',
        arch: 'x86_64',
        distroRelease: {
          id: 'alpine',
          versionId: '3.20.1',
          ecosystem: 'Alpine:v3.20',
          evidence: 'purl distro qualifier',
        },
      },
    ],
    [
      'pkg:apk/wolfi/glibc@2.38-r1?arch=x86_64&distro=wolfi-20230201',
      {
        ecosystem: 'Wolfi',
        name: 'glibc',
        version: '2.38-r1',
        arch: 'x86_64',
        distroRelease: { id: 'wolfi', versionId: '20230201', evidence: 'purl distro qualifier' },
      },
    ],
    // A distro qualifier naming another distribution than the namespace does not set the release.
    [
      'pkg:deb/debian/bash@5.0-4?distro=ubuntu-20.04',
      {
        ecosystem: 'Debian',
        name: 'bash',
        version: '5.0-4',
        distroRelease: {
          id: 'ubuntu',
          versionId: '20.04',
          ecosystem: 'Ubuntu:20.04:LTS',
          evidence: 'purl distro qualifier',
        },
      },
    ],
  ])('%s', (text, expected) => {
    expect(purlToPackage(text)).toEqual({ ok: true, package: expected });
  });

  it.each([
    ['pkg:generic/openssl@1.1.1t', 'purl type "generic" has no OSV ecosystem'],
    ['pkg:github/package-url/purl-spec@244fd47e', 'purl type "github" has no OSV ecosystem'],
    ['pkg:maven/junit@4.12', 'maven purl without a groupId'],
    ['pkg:deb/kali/bash@5.2', 'deb purl of unknown distribution "kali"'],
    ['pkg:deb/bash@5.2', 'deb purl of unknown distribution ""'],
    ['not a purl', 'does not start with the "pkg:" scheme'],
  ])('%s is not mapped', (text, message) => {
    const result = purlToPackage(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

describe('installedFromPurl', () => {
  it('keeps the purl verbatim and falls back to the stated version', () => {
    expect(installedFromPurl(' pkg:cargo/hyper ', '0.14')).toEqual({
      ok: true,
      package: { ecosystem: 'crates.io', name: 'hyper', version: '0.14', purl: 'pkg:cargo/hyper' },
    });
    expect(installedFromPurl('pkg:cargo/hyper', undefined)).toEqual({
      ok: false,
      error: 'no version for pkg:cargo/hyper',
    });
  });
});

describe('purlTypeForEcosystem: the inverse of the one purl ↔ ecosystem table', () => {
  it.each([
    ['npm', '@babel/core', 'pkg:npm/%40babel/core@1.0.0'],
    ['Go', 'golang.org/x/net', 'pkg:golang/golang.org/x/net@1.0.0'],
    [
      'Maven',
      'org.apache.logging.log4j:log4j-core',
      'pkg:maven/org.apache.logging.log4j/log4j-core@1.0.0',
    ],
    ['crates.io', 'openssl', 'pkg:cargo/openssl@1.0.0'],
    ['PyPI', 'django', 'pkg:pypi/django@1.0.0'],
    ['Debian:12', 'openssl', 'pkg:deb/debian/openssl@1.0.0'],
    ['Rocky Linux:9', 'openssl', 'pkg:rpm/rocky/openssl@1.0.0'],
  ])('%s %s ↔ %s', (ecosystem, name, purl) => {
    const mapped = purlTypeForEcosystem(ecosystem);
    expect(mapped).toBeDefined();
    const cut = mapped!.split === 'none' ? -1 : name.lastIndexOf(mapped!.split);
    const formatted = formatPurl({
      type: mapped!.type,
      ...(mapped!.namespace !== undefined && { namespace: mapped!.namespace }),
      ...(cut > 0 && { namespace: name.slice(0, cut) }),
      name: cut > 0 ? name.slice(cut + 1) : name,
      version: '1.0.0',
      qualifiers: {},
    });
    expect(formatted).toBe(purl);
    // And back: the purl reads as the same ecosystem (base) and name.
    const back = purlToPackage(formatted);
    expect(back).toMatchObject({ ok: true, package: { name } });
    if (back.ok) expect(back.package.ecosystem.split(':')[0]).toBe(ecosystem.split(':')[0]);
  });

  it('has no purl type for an ecosystem without one', () => {
    expect(purlTypeForEcosystem('Bitnami')).toBeUndefined();
  });
});
