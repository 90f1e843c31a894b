import { jest } from '@jest/globals';
import { generateDataset } from '../../sim/dataset/index.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { crmWriteCount, startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';

jest.setTimeout(120_000);

/**
 * An owner that is alive but stalled (a stopped process keeps its connections, so its lock stays held):
 * another instance takes the run from it after the stall limit, and when the stalled owner resumes it
 * writes nothing more to the CRM — it learns at its next ownership check, before its next batch.
 */
describe('a stalled owner loses its run and stops writing', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness(
      generateDataset({
        seed: 61,
        counterparties: 200,
        contactsPerCounterparty: 1,
        ordersPerCounterparty: 1,
      }),
    );
  });
  afterAll(async () => h?.close());

  it('instance B recovers A’s run; A, resumed, makes no CRM write after its next check; B’s run completes the data', async () => {
    const a = h.runner();
    const b = h.runner();
    expect(a.owner).not.toBe(b.owner);
    let stalled!: () => void;
    const resume = new Promise<void>((res) => (stalled = res));
    let reachedStall!: () => void;
    const atStall = new Promise<void>((res) => (reachedStall = res));
    a.hook = async (point, info) => {
      if (point === 'after-batch-answer' && info.batch === 1) {
        reachedStall();
        await resume; // A hangs here, its lock still held, right after its first CRM batch answered.
      }
    };
    const { run } = await a.create({ trigger: 'cli' });
    const done = a.execute(run.id);
    await atStall;

    // The lock is held: B cannot take the run as dead…
    expect(await b.runs.recoverDead()).toEqual([]);
    // …but once the heartbeat is older than the stall limit (B's clock ten minutes on), it does.
    expect(await b.runs.recoverDead(new Date(Date.now() + 10 * 60_000))).toEqual([run.id]);
    const writesAtRecovery = crmWriteCount(h.sim);
    expect(writesAtRecovery).toBeGreaterThan(0);

    stalled();
    await done;
    // Not a single CRM write after A resumed; the run stays as B recorded it.
    expect(crmWriteCount(h.sim)).toBe(writesAtRecovery);
    const row = await a.store.getRun(run.id);
    expect(row).toMatchObject({
      status: 'failed',
      error: 'recovered: its instance stopped answering (no heartbeat for 120 s)',
    });
    // The batch A wrote was linked before it stopped: B's run completes the rest without a duplicate.
    const next = await b.runNow({ trigger: 'cli' });
    expect(next.status).toBe('succeeded');
    expect(await checkCrmAgainst1C(createOneCPort(h.settings, h.mapping), h.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
  });
});
