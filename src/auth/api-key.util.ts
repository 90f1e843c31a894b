import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys look like `svk_<43 base64url chars>`: 256 random bits. */
export const KEY_PREFIX = 'svk_';

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 (hex) of a key. Keys carry 256 random bits, so a fast hash is enough: there is nothing
 * to brute-force, unlike a password.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The shown prefix of a key for `apikey list`: `svk_` + 6 characters. */
export function keyDisplayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Extracts the key from `Authorization: Bearer <key>`; null when absent or malformed. */
export function bearerKey(header: string | string[] | undefined): string | null {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : null;
}
