import { QueueService } from '../../src/queue/queue.service.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('durable queue on PostgreSQL (pg-boss)', () => {
  let db: TestDatabase;
  let a: QueueService;
  let b: QueueService;
  beforeAll(async () => {
    db = await createTestDatabase('queue');
    a = new QueueService(db.url);
    b = new QueueService(db.url);
    await a.onModuleInit();
    await b.onModuleInit();
  });
  afterAll(async () => {
    await a?.beforeApplicationShutdown();
    await b?.beforeApplicationShutdown();
    await db?.drop();
  });

  it('delivers each job to exactly one of two instances', async () => {
    const seen: string[] = [];
    await a.work<{ n: number }>('demo-run', async (job) => void seen.push(`a:${job.data.n}`), {
      pollingIntervalSeconds: 0.5,
    });
    await b.work<{ n: number }>('demo-run', async (job) => void seen.push(`b:${job.data.n}`), {
      pollingIntervalSeconds: 0.5,
    });
    for (let n = 0; n < 6; n++) await a.send('demo-run', { n });
    await until(() => seen.length === 6);
    expect(seen.map((s) => Number(s.split(':')[1])).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('retries a failing job, then succeeds', async () => {
    let attempts = 0;
    await a.work<{ x: string }>(
      'flaky',
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('temporary');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await a.send('flaky', { x: 'y' }, { retryLimit: 5, retryDelay: 1 });
    await until(() => attempts >= 3, 30_000);
    expect(attempts).toBe(3);
  });
});
