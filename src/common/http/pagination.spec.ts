import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('cursor pagination', () => {
  it('round-trips a cursor', () => {
    const c = encodeCursor({ createdAt: '2026-11-28T06:00:00Z', id: 'a' });
    expect(decodeCursor(c)).toEqual({ createdAt: '2026-11-28T06:00:00Z', id: 'a' });
    expect(decodeCursor(undefined)).toBeNull();
  });
  it('rejects a forged cursor with 400', () => {
    expect(() => decodeCursor('not-json')).toThrow(BadRequestException);
    expect(() => decodeCursor(encodeCursor({}).slice(0, 1))).toThrow(BadRequestException);
  });
  it('uses the extra row only to tell that a next page exists', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const p = toPage(rows, 2, 3, (r) => ({ id: r.id }));
    expect(p.items).toEqual([{ id: 1 }, { id: 2 }]);
    expect(decodeCursor(p.nextCursor!)).toEqual({ id: 2 });
    expect(toPage(rows.slice(0, 2), 2, 2, (r) => ({ id: r.id })).nextCursor).toBeNull();
  });
});
