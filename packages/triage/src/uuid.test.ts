import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha1, urlNamespace, uuidV5 } from './uuid.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('sha1', () => {
  it.each([
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    // 56 bytes: the padding spills into a second block.
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    ],
  ])('of %j is the FIPS 180 test vector', (input, expected) => {
    expect(hex(sha1(new TextEncoder().encode(input)))).toBe(expected);
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 1000, 4097])('agrees with node:crypto on %i bytes', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) % 256);
    expect(hex(sha1(bytes))).toBe(createHash('sha1').update(bytes).digest('hex'));
  });
});

describe('uuidV5', () => {
  it.each([
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org', '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, 'https://patchgate.invalid/cyclonedx-vex')
    [
      urlNamespace,
      'https://patchgate.invalid/cyclonedx-vex',
      '7241b1b2-759a-5ce1-ab3a-ede4bb7a404d',
    ],
  ])('in %s of %j is %s', (namespace, name, expected) => {
    expect(uuidV5(namespace, name)).toBe(expected);
  });
});
