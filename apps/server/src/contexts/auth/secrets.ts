/**
 * Secrets: session cookies and API tokens are random and stored only as SHA-256 hashes;
 * passwords are hashed with scrypt (node:crypto, RFC 7914) with a per-password salt.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * OWASP's scrypt minimum is N=2^17, r=8, p=1 (~100-300 ms here): the default cost. The stored
 * hash records its parameters, so raising the cost later keeps old hashes verifiable.
 */
export const defaultPasswordHashCost = 17;
const keyLength = 32;

/** `log2N`: scrypt's N as a power of two (the server's `passwordHashCost` setting). */
export async function hashPassword(
  password: string,
  log2N = defaultPasswordHashCost,
): Promise<string> {
  const cost = { N: 2 ** log2N, r: 8, p: 1 };
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, keyLength, { ...cost, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (
    scheme !== 'scrypt' ||
    n === undefined ||
    r === undefined ||
    p === undefined ||
    salt === undefined ||
    key === undefined
  ) {
    return false;
  }
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new random secret, URL-safe. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export const apiTokenPrefix = 'pgt_';
export const sessionCookie = 'patchgate_session';
export const csrfHeader = 'x-csrf-token';
