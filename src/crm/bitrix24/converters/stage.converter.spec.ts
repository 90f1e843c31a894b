import { convertStage } from './stage.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertStage (golden fixtures test/fixtures/bitrix24/*/stages.*)', () => {
  it('reads SEMANTICS null and "" as open, S as won, F as lost', () => {
    const out = rowsOf('ok', 'stages').map(convertStage);
    expect(out.map((c) => (c.ok ? c.record : c))).toEqual(fixture('ok', 'stages.expected.json'));
  });

  it('reports unreadable status rows with their ID and reason', () => {
    const out = rowsOf('not-ok', 'stages').map(convertStage);
    expect(out.map((c) => (c.ok ? c.record : { id: c.id, reason: c.reason }))).toEqual(
      fixture('not-ok', 'stages.expected.json'),
    );
  });
});
