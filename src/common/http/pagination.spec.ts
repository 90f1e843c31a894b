import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const c = encodeCursor({ c: '2026-11-28T06:00:00.123456Z', id: '0b9c1f6e-1d2a-4c3b-8e4f-5a6b7c8d9e0f' });
    expect(decodeCursor(c, { c: 'timestamp', id: 'uuid' })).toEqual({
      c: '2026-11-28T06:00:00.123456Z',
      id: '0b9c1f6e-1d2a-4c3b-8e4f-5a6b7c8d9e0f',
    });
    expect(decodeCursor(undefined, { id: 'bigint' })).toBeNull();
  });

  it('rejects a forged cursor with 400', () => {
    expect(() => decodeCursor('not-json', { id: 'bigint' })).toThrow(BadRequestException);
    expect(() => decodeCursor(encodeCursor({}).slice(0, 1), { id: 'bigint' })).toThrow(BadRequestException);
  });

  it.each([
    ['another list’s cursor', { id: '6' }],
    ['a key of the wrong kind', { c: 'yesterday', id: '0b9c1f6e-1d2a-4c3b-8e4f-5a6b7c8d9e0f' }],
    ['a number instead of text', { c: '2026-11-28T06:00:00Z', id: 7 }],
    ['an impossible date', { c: '2026-13-45T99:99:99Z', id: '0b9c1f6e-1d2a-4c3b-8e4f-5a6b7c8d9e0f' }],
    ['an array', ['2026-11-28T06:00:00Z']],
  ])('rejects %s with 400 before it reaches SQL', (_what, value) => {
    expect(() =>
      decodeCursor(encodeCursor(value as Record<string, unknown>), { c: 'timestamp', id: 'uuid' }),
    ).toThrow(BadRequestException);
  });

  it('uses the extra row only to tell that a next page exists', () => {
    const rows = [{ id: '1' }, { id: '2' }, { id: '3' }];
    const p = toPage(rows, 2, 3, (r) => ({ id: r.id }));
    expect(p.items).toEqual([{ id: '1' }, { id: '2' }]);
    expect(decodeCursor(p.nextCursor!, { id: 'bigint' })).toEqual({ id: '2' });
    expect(toPage(rows.slice(0, 2), 2, 2, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
