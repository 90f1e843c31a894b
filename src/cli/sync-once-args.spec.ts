import { parseSyncOnceArgs } from './sync-once-args.js';

describe('sync-once flags', () => {
  it('defaults: every entity, incremental, 30 s of waiting', () => {
    expect(parseSyncOnceArgs([])).toEqual({
      full: false,
      entities: undefined,
      waitMs: 30_000,
      dryRun: false,
    });
  });

  it('reads --full, --entities and --wait', () => {
    expect(parseSyncOnceArgs(['--full', '--entities', 'counterparties,deals', '--wait', '2.5'])).toEqual({
      full: true,
      entities: ['counterparties', 'deals'],
      waitMs: 2500,
      dryRun: false,
    });
  });

  it('reads --dry-run', () => {
    expect(parseSyncOnceArgs(['--dry-run'])).toMatchObject({ dryRun: true });
  });

  it('refuses an unknown entity, naming it', () => {
    expect(() => parseSyncOnceArgs(['--entities', 'counterparties,orders'])).toThrow(
      '--entities: "orders" is not among counterparties, contacts, deals',
    );
  });

  it('refuses a wait that is not seconds, and an unknown flag', () => {
    expect(() => parseSyncOnceArgs(['--wait', 'abc'])).toThrow('--wait: "abc" is not a number of seconds');
    expect(() => parseSyncOnceArgs(['--dry'])).toThrow(/--dry/);
  });
});
