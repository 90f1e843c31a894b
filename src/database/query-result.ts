/**
 * Rows of a raw `DataSource.query()`. TypeORM's postgres driver answers `[rows, affected]` for an
 * UPDATE/DELETE … RETURNING and plain `rows` for SELECT and INSERT … RETURNING; this gives the rows either way.
 */
export function returned<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
