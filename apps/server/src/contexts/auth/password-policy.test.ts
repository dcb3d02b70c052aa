import { describe, expect, it } from 'vitest';
import { commonPasswordsText } from './common-passwords.ts';
import { checkPassword, countedPassword } from './password-policy.ts';

describe('password policy', () => {
  it.each([
    'correct horse battery staple',
    'another fine password',
    'a brand new password',
    'ann-password-1',
    'new-user-password',
    'Grüße aus Köln 2026',
    '日本語のパスワードは長い文章です',
  ])('accepts %j', (password) => {
    expect(checkPassword(password)).toBeUndefined();
  });

  it.each([
    ['short', /at least 12 characters long \(it has 5/],
    // Padding does not make a password long: spaces around it, or runs of them inside.
    [`${' '.repeat(20)}short${' '.repeat(20)}`, /it has 5/],
    ['a          b', /it has 3/],
    // Characters, not UTF-16 units: eleven emoji are 22 units but 11 characters.
    ['🔑'.repeat(11), /it has 11/],
    ['aaaaaaaaaaaaaaaa', /repetitive/],
    ['abababababababab', /repetitive/],
    ['abcabcabcabcabc', /repetitive/],
    ['abcdefghijklmnop', /sequence/],
    ['123456789012', /sequence/],
    ['987654321098', /sequence/],
    ['qwertyuiop123', /most common/],
    ['Password123456!', /most common/],
    ['iloveyou2024!!', /most common/],
    ['1q2w3e4r5t6y', /most common/],
    ['123456password', /most common/],
    ['monkeymonkey1', /repeats a common password|most common/],
  ])('refuses %j', (password, reason) => {
    expect(checkPassword(password)).toMatch(reason);
  });

  it('counts code points after NFKC, trimmed, inner white space once', () => {
    expect(countedPassword('  a\u00a0\u00a0b  ')).toEqual(['a', ' ', 'b']);
    expect(countedPassword('ﬁ')).toEqual(['f', 'i']);
  });

  it('ships ten thousand distinct common passwords, most common first', () => {
    const list = commonPasswordsText.split('\n');
    expect(list).toHaveLength(10_000);
    expect(new Set(list).size).toBe(10_000);
    expect(list.slice(0, 3)).toEqual(['123456', 'password', '12345678']);
  });
});
