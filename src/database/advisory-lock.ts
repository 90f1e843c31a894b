import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Stable 64-bit lock key for a name (first 8 bytes of SHA-256, as a signed bigint string). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `fn` while holding a PostgreSQL session-level advisory lock named `key`, if it can be taken
 * at once; otherwise does not run it. Used for "one instance does this" work (schedules, report sending).
 * The lock lives on one pooled connection held for the duration of `fn`, and is released even if `fn` throws.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  key: string,
  fn: () => Promise<T>,
): Promise<{ acquired: boolean; result?: T }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const k = advisoryKey(key);
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [k]);
    if (!locked) return { acquired: false };
    try {
      return { acquired: true, result: await fn() };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [k]);
    }
  } finally {
    await runner.release();
  }
}
