import { jest } from '@jest/globals';
import { generateDataset } from '../../sim/dataset/index.js';
import { SyncQueryService } from '../../src/sync/sync-query.service.js';
import { MAX_ATTEMPTS } from '../../src/sync/sync.constants.js';
import { refusingWritesOf } from '../factories/failing-crm.js';
import { startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';

jest.setTimeout(300_000);

/** A record the portal keeps refusing: retried with backoff, a dead letter after MAX_ATTEMPTS, never silently skipped. */
describe('sync failures and dead letters', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness(
      generateDataset({ seed: 41, counterparties: 30, contactsPerCounterparty: 1, ordersPerCounterparty: 1 }),
    );
  });
  afterAll(async () => h?.close());

  it('partial runs while it fails, a dead letter after the last attempt, skipped until 1C changes it', async () => {
    const ref = String(
      h.sims.onec.sim.rows('counterparties').find((r) => !r.IsFolder && !r.DeletionMark)!.Ref_Key,
    );
    const crm = refusingWritesOf(h.crm, new Set([ref]));
    const query = new SyncQueryService(h.ds);
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      const run = await h.runner(h.mapping, crm).runNow({ trigger: 'cli', entities: ['counterparties'] });
      expect(run.status).toBe('partial');
      expect(run.stats.counterparties?.failed).toBe(1);
      const [f] = (await h.ds.query(
        `SELECT attempts, dead, next_attempt_at, last_error FROM sync_item_failure WHERE onec_ref = $1`,
        [ref],
      )) as {
        attempts: number;
        dead: boolean;
        next_attempt_at: Date | null;
        last_error: string;
      }[];
      expect(f.attempts).toBe(i);
      expect(f.dead).toBe(i === MAX_ATTEMPTS);
      if (i < MAX_ATTEMPTS) expect(f.next_attempt_at).not.toBeNull();
      expect(f.last_error).toMatch(/INVALID/);
    }
    const dead = await query.store.deadLetters('counterparties');
    expect(dead.map((d) => d.onecRef)).toEqual([ref]);
    const status = await query.status();
    expect(status.entities.find((e) => e.entity === 'counterparties')).toMatchObject({
      deadLetters: 1,
      pendingRetries: 0,
    });
    // A dead letter is not retried on every run (skipped and counted), until 1C changes the record.
    const after = await h.runner(h.mapping, crm).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(after.stats.counterparties).toMatchObject({ failed: 0, skipped: 1 });
    h.sims.onec.sim.update('counterparties', ref, { Description: 'Исправлено в 1С' });
    const fixed = await h.runner().runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(fixed.status).toBe('succeeded');
    expect(fixed.stats.counterparties?.created).toBe(1);
    expect(await query.store.deadLetters()).toEqual([]);
  });
});
