import { jest } from '@jest/globals';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';

jest.setTimeout(600_000);

const clean = { duplicates: [], missing: [], wrong: [] };

/** The fake portal misbehaving during a sync: lost create answers, 503/429 storms, random errors. */
describe('sync against a misbehaving portal', () => {
  describe('a quarter of write answers lost after the portal committed', () => {
    let h: SyncHarness;
    beforeAll(async () => {
      h = await startSyncHarness(
        generateDataset({
          seed: 31,
          counterparties: 150,
          contactsPerCounterparty: 1,
          ordersPerCounterparty: 1,
        }),
      );
    });
    afterAll(async () => h?.close());

    it('no duplicate and nothing missing after the faulty run itself; a rerun writes nothing', async () => {
      h.sim.setFaults({ lostResponseEvery: 4 });
      const first = await h.runner().runNow({ trigger: 'cli' });
      expect(first.error).toBeNull();
      expect(first.status).toBe('succeeded');
      const writes = h.sim.calls.filter(
        (c) => c.method === 'batch' && c.commands?.some((x) => /\.(add|update)$/.test(x.method)),
      );
      expect(writes.filter((c) => c.lost).length).toBe(Math.floor(writes.length / 4));
      const onec = createOneCPort(h.settings, h.mapping);
      expect(await checkCrmAgainst1C(onec, h.sim)).toEqual(clean);
      h.sim.setFaults({});
      h.sim.clearCalls();
      const second = await h.runner().runNow({ trigger: 'cli' });
      expect(second.status).toBe('succeeded');
      for (const e of ['counterparties', 'contacts', 'deals'] as const)
        expect([e, second.stats[e]?.created, second.stats[e]?.updated]).toEqual([e, 0, 0]);
      expect(await checkCrmAgainst1C(onec, h.sim)).toEqual(clean);
    });
  });

  describe('503/429 storms and 20% random errors at the rate limit', () => {
    let h: SyncHarness;
    const limits = { rps: 20, burst: 20 };
    beforeAll(async () => {
      h = await startSyncHarness(
        generateDataset({
          seed: 32,
          counterparties: 80,
          contactsPerCounterparty: 1,
          ordersPerCounterparty: 1,
        }),
        {
          limits,
          adapterRps: limits.rps,
        },
      );
    });
    afterAll(async () => h?.close());

    it('the run completes, the limiter never overflows the bucket, and the data ends up right', async () => {
      const forced = 12;
      h.sim.setFaults({
        forceQueryLimit: forced,
        errorRate: 0.2,
        commandErrorRate: 0.2,
        blockedMethods: { 'crm.item.list': 2 },
      });
      const run = await h.runner().runNow({ trigger: 'cli' });
      // The faults are random: a record may run out of retries. The status follows from the stats exactly.
      const failed = Object.values(run.stats).reduce((n, s) => n + s.failed, 0);
      expect(run.status).toBe(failed > 0 ? 'partial' : 'succeeded');
      expect(run.error).toBeNull();
      // Every QUERY_LIMIT_EXCEEDED was a forced one: the adapter's limiter kept under the bucket.
      const qle = h.sim.calls.filter((c) => c.status === 503 && c.error === 'QUERY_LIMIT_EXCEEDED').length;
      expect(qle).toBeLessThanOrEqual(forced);
      expect(h.sim.calls.some((c) => c.status === 500)).toBe(true);
      // Failed records were recorded for retry, and later runs finish them.
      h.sim.setFaults({});
      let last = run;
      for (let i = 0; i < 3 && last.status !== 'succeeded'; i++)
        last = await h.runner().runNow({ trigger: 'cli' });
      expect(last.status).toBe('succeeded');
      expect(await checkCrmAgainst1C(createOneCPort(h.settings, h.mapping), h.sim)).toEqual(clean);
      const pending = (await h.ds.query(`SELECT count(*)::int AS n FROM sync_item_failure`)) as {
        n: number;
      }[];
      expect(pending[0].n).toBe(0);
    });
  });
});
