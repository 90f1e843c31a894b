import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 1000';

/** A query value of digits only becomes a number; anything else stays as given and fails validation. */
export const digitsToNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;

/** `?limit=` (1–1000, default 100) and `?cursor=` of every list. Extend it with a list's filters. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(digitsToNumber)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(1000, { message: LIMIT_MESSAGE })
  limit: number = 100;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's nextCursor" })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** Opaque cursor: base64url of the JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** What one key of a cursor holds; anything else is a forged or foreign cursor (400, never a query error). */
export type CursorField = 'bigint' | 'uuid' | 'timestamp';

const CURSOR_FIELDS: Record<CursorField, (v: string) => boolean> = {
  bigint: (v) => /^\d{1,18}$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  timestamp: (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
};

/**
 * The sort key a list handed out as `nextCursor`, checked against the list's own shape: a cursor that
 * is not ours, or another list's, is refused with 400 rather than reaching SQL.
 */
export function decodeCursor<K extends string>(
  cursor: string | undefined,
  shape: Record<K, CursorField>,
): Record<K, string> | null {
  if (!cursor) return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    v = null;
  }
  const ok =
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    (Object.entries(shape) as [K, CursorField][]).every(([k, kind]) => {
      const value = (v as Record<string, unknown>)[k];
      return typeof value === 'string' && CURSOR_FIELDS[kind](value);
    });
  if (!ok)
    throw new BadRequestException(
      "cursor is not valid for this list: pass the nextCursor of this list's previous page unchanged",
    );
  return v as Record<K, string>;
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells that there is a next page.
 * `keyOf` gives the sort key of a row (the next cursor is the last returned row's key).
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  total: number,
  keyOf: (row: T) => Record<string, unknown>,
): Page<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return {
    items,
    nextCursor: more && items.length ? encodeCursor(keyOf(items[items.length - 1])) : null,
    total,
  };
}
