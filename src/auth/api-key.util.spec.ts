import { bearerKey, generateApiKey, hashApiKey, hashesEqual, keyDisplayPrefix } from './api-key.util.js';

describe('API key hashing', () => {
  it('makes 256-bit keys with a recognisable prefix, all different', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const k of keys) {
      expect(k).toMatch(/^svk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(k.slice(4), 'base64url')).toHaveLength(32);
    }
  });
  it('stores only a SHA-256 hex digest, stable and key-specific', () => {
    const k = generateApiKey();
    expect(hashApiKey(k)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(k)).toBe(hashApiKey(k));
    expect(hashApiKey(k)).not.toBe(hashApiKey(generateApiKey()));
    expect(hashApiKey(k)).not.toContain(k.slice(4, 12));
    expect(hashesEqual(hashApiKey(k), hashApiKey(k))).toBe(true);
    expect(hashesEqual(hashApiKey(k), hashApiKey(k + 'x'))).toBe(false);
  });
  it('shows only a short prefix', () => {
    expect(keyDisplayPrefix('svk_abcdefghijk')).toBe('svk_abcdef');
  });
  it('reads Bearer headers only', () => {
    expect(bearerKey('Bearer svk_x')).toBe('svk_x');
    expect(bearerKey('bearer svk_x ')).toBe('svk_x');
    expect(bearerKey('Basic abc')).toBeNull();
    expect(bearerKey(undefined)).toBeNull();
  });
});
