/**
 * The password policy, after NIST SP 800-63B §3.1.1.2 (and §5.1.1.2 of its predecessor): length
 * is what matters, no composition rules, but refuse passwords that are common (a list shipped
 * with the product: common-passwords.md), repetitive or sequential. Pure: a password in, a
 * reason out (or none).
 *
 * Length is counted in characters (Unicode code points after NFKC normalisation, as §3.1.1.2
 * asks), not UTF-16 units, and padding does not count: leading and trailing white space is
 * ignored and inner runs of white space count once ("a" followed by twelve spaces is one
 * character, "correct horse battery staple" is 28).
 */
import { commonPasswordsText } from './common-passwords.ts';

export const minimumPasswordLength = 12;
export const maximumPasswordLength = 256;
export const passwordPolicy = `at least ${minimumPasswordLength} characters (spaces around or repeated between words do not count), not a common password, not repetitive or sequential`;

let common: ReadonlySet<string> | undefined;
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(commonPasswordsText.split('\n'));
  return common;
}

/** The password as its length is counted: NFKC, trimmed, inner white space runs as one. */
export function countedPassword(password: string): string[] {
  return [...password.normalize('NFKC').trim().replace(/\s+/gu, ' ')];
}

/** Repeats one shorter unit throughout ("abcabcabcabc", "passwordpassword"). */
function repeatsUnit(chars: readonly string[]): boolean {
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size !== 0) continue;
    if (chars.every((c, i) => c === chars[i % size])) return true;
  }
  return false;
}

/** Each character one step up or down from the previous ("abcdefghijkl", "987654321098"). */
function sequential(chars: readonly string[]): boolean {
  if (chars.length < 2) return false;
  const step = (a: string, b: string): number => {
    const [x, y] = [a.codePointAt(0) ?? 0, b.codePointAt(0) ?? 0];
    // Digits wrap around (…8901…), as people type them.
    if (a === '9' && b === '0') return 1;
    if (a === '0' && b === '9') return -1;
    return y - x;
  };
  const first = step(chars[0] ?? '', chars[1] ?? '');
  if (Math.abs(first) !== 1) return false;
  for (let i = 2; i < chars.length; i++) {
    if (step(chars[i - 1] ?? '', chars[i] ?? '') !== first) return false;
  }
  return true;
}

/** Lower-cased forms of the password people derive from a common one. */
function commonForms(lower: string): string[] {
  const compact = lower.replace(/\s+/gu, '');
  // "Password123!", "iloveyou2024": a common word with digits and symbols tacked on.
  const stripped = compact.replace(/[\d\p{P}\p{S}]+$/u, '');
  // "123456password": and in front.
  const strippedFront = compact.replace(/^[\d\p{P}\p{S}]+/u, '');
  return [lower, compact, stripped, strippedFront].filter((form) => form.length >= 4);
}

/** Why the password is refused, or undefined when it is acceptable. */
export function checkPassword(password: string): string | undefined {
  const chars = countedPassword(password);
  if (chars.length < minimumPasswordLength) {
    return `The password must be at least ${minimumPasswordLength} characters long (it has ${chars.length}; spaces around or repeated between words do not count)`;
  }
  if ([...password].length > maximumPasswordLength) {
    return `The password must be at most ${maximumPasswordLength} characters`;
  }
  const lower = chars.join('').toLowerCase();
  const letters = [...lower.replace(/\s+/gu, '')];
  if (new Set(letters).size < 4 || repeatsUnit(letters)) {
    return 'The password is too repetitive: use a longer passphrase of unrelated words';
  }
  if (sequential(letters)) {
    return 'The password is a sequence (like "abcdef…" or "123456…"): use unrelated words';
  }
  const list = commonPasswords();
  const forms = commonForms(lower);
  if (forms.some((form) => list.has(form))) {
    return 'The password is one of the most common passwords (or one with digits or symbols added): choose another';
  }
  // "passwordpassword1", "qwertyqwerty": a common password repeated.
  for (const form of forms) {
    const unitOf = [...form];
    for (let size = 4; size <= unitOf.length / 2; size++) {
      if (unitOf.length % size === 0 && unitOf.every((c, i) => c === unitOf[i % size])) {
        if (list.has(unitOf.slice(0, size).join(''))) {
          return 'The password repeats a common password: choose another';
        }
      }
    }
  }
  return undefined;
}
