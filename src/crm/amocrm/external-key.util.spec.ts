import { formatExternalKey, parseExternalKey } from './external-key.util.js';

describe('the 1C key of an amoCRM record («Ключ 1С»)', () => {
  it('is `<source>:<Ref_Key>`, split at the last colon', () => {
    const key = { source: 'sverka-1c', key: 'a348aa8c-1f2b-11ee-8f1a-0050569f2b1c' };
    expect(formatExternalKey(key)).toBe('sverka-1c:a348aa8c-1f2b-11ee-8f1a-0050569f2b1c');
    expect(parseExternalKey(formatExternalKey(key))).toEqual(key);
    expect(parseExternalKey('urn:base:2:k-1')).toEqual({ source: 'urn:base:2', key: 'k-1' });
    expect(parseExternalKey('  other-base:k-7 ')).toEqual({ source: 'other-base', key: 'k-7' });
  });

  it.each([null, undefined, '', '   ', 'no-colon', ':k-1', 'src:'])('%p is nobody’s key', (v) => {
    expect(parseExternalKey(v)).toBeNull();
  });
});
