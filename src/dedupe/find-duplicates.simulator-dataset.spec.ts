import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { findDuplicates } from './find-duplicates.js';
import { recordsFromSimulatorDataset } from '../../sim/labelled/from-simulator-dataset.js';

/**
 * An independent check: the simulators' data set (another generator, another author) plants its own
 * duplicates (onec re-entries, manager copies in the CRM, CRM-internal pairs) and look-alike hard
 * negatives. Pairwise precision/recall against its truth; today 0.99 / 1.00 on seed 42.
 */
describe('dedupe on the simulators data set', () => {
  const ds = generateDataset({ seed: 42, counterparties: 2000 });
  const result = findDuplicates(recordsFromSimulatorDataset(ds));
  const truthOf = new Map<string, string>();
  let truePairs = 0;
  for (const t of ds.truth.duplicates) {
    truePairs += (t.members.length * (t.members.length - 1)) / 2;
    for (const m of t.members) truthOf.set(`${t.scope}|${m.system}:${m.id}`, t.id);
  }

  it('finds the planted duplicates of every scope with precision ≥ 0.97 and recall ≥ 0.95', () => {
    let predicted = 0;
    let right = 0;
    for (const c of result.clusters) {
      for (let i = 0; i < c.members.length; i++) {
        for (let j = i + 1; j < c.members.length; j++) {
          const [a, b] = [c.members[i], c.members[j]];
          if (c.scope === 'cross' && a.system === b.system) continue;
          predicted++;
          const ta = truthOf.get(`${c.scope}|${a.system}:${a.id}`);
          if (ta && ta === truthOf.get(`${c.scope}|${b.system}:${b.id}`)) right++;
        }
      }
    }
    expect(truePairs).toBeGreaterThan(50);
    expect(right / predicted).toBeGreaterThanOrEqual(0.97);
    expect(right / truePairs).toBeGreaterThanOrEqual(0.95);
  });

  it('never clusters a look-alike (same name, other INN) with the 1C party it imitates', () => {
    expect(ds.truth.lookalikes.length).toBeGreaterThan(0);
    for (const l of ds.truth.lookalikes) {
      const together = result.clusters.some(
        (c) => c.members.some((m) => m.id === l.crmId) && c.members.some((m) => m.id === l.onecRef),
      );
      expect({ lookalike: l.crmId, together }).toEqual({ lookalike: l.crmId, together: false });
    }
  });
});
