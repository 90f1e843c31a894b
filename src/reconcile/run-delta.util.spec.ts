import { discrepancyDelta } from './run-delta.util.js';

describe('discrepancyDelta', () => {
  it('reports changes per kind, both directions, omitting zeros', () => {
    expect(
      discrepancyDelta(
        { missing_in_crm: 3, field_mismatch: 5 },
        { missing_in_crm: 5, field_mismatch: 5, orphan_in_crm: 1 },
      ),
    ).toEqual({
      missing_in_crm: -2,
      orphan_in_crm: -1,
    });
  });
  it('without a previous run the delta is the current counts', () => {
    expect(discrepancyDelta({ debt_mismatch: 2 }, null)).toEqual({ debt_mismatch: 2 });
  });
});
