import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { withAdvisoryLock } from '../../src/database/advisory-lock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('advisory lock helper', () => {
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase('lock');
    a = await createDataSource(db.url).initialize();
    b = await createDataSource(db.url).initialize();
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
  });

  it('lets one of two instances in; the other does not run; the lock is released after', async () => {
    let inner: { acquired: boolean } | undefined;
    const outer = await withAdvisoryLock(a, 'reconcile:2026-11-28', async () => {
      inner = await withAdvisoryLock(b, 'reconcile:2026-11-28', async () => 'second');
      return 'first';
    });
    expect(outer).toEqual({ acquired: true, result: 'first' });
    expect(inner).toEqual({ acquired: false });
    expect(await withAdvisoryLock(b, 'reconcile:2026-11-28', async () => 'later')).toEqual({
      acquired: true,
      result: 'later',
    });
  });

  it('releases the lock when the work throws', async () => {
    await expect(withAdvisoryLock(a, 'k', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect((await withAdvisoryLock(b, 'k', async () => 1)).acquired).toBe(true);
  });
});
