import { canExecute, canReach, type ModeStat, type Principal } from './path-access.util.js';

const ROOT = 0;
const PG: Principal = { uid: 101, gids: [104, 103] };

function fs(entries: Record<string, { mode: number; uid?: number; gid?: number; dir?: boolean }>) {
  return (p: string): ModeStat => {
    const e = entries[p];
    if (!e) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return { mode: e.mode, uid: e.uid ?? ROOT, gid: e.gid ?? ROOT, isDirectory: () => e.dir ?? true };
  };
}

describe('path access for the postgres user', () => {
  const open = {
    '/': { mode: 0o755 },
    '/work': { mode: 0o755 },
    '/work/app': { mode: 0o755 },
    '/work/app/bin': { mode: 0o755 },
    '/work/app/bin/postgres': { mode: 0o755, dir: false },
  };

  it('reaches a path whose every parent lets others search', () => {
    expect(canReach('/work/app/data', PG, fs(open))).toBe(true);
    expect(canExecute('/work/app/bin/postgres', PG, fs(open))).toBe(true);
  });

  it('does not reach into a 0700 parent owned by root (a clone in /root or mktemp -d)', () => {
    const closed = { ...open, '/work': { mode: 0o700 } };
    expect(canReach('/work/app/data', PG, fs(closed))).toBe(false);
    expect(canExecute('/work/app/bin/postgres', PG, fs(closed))).toBe(false);
  });

  it('uses the group bits when the user is in the directory group', () => {
    const grouped = { ...open, '/work': { mode: 0o710, gid: 103 } };
    expect(canReach('/work/app/data', PG, fs(grouped))).toBe(true);
    const otherGroup = { ...open, '/work': { mode: 0o710, gid: 5 } };
    expect(canReach('/work/app/data', PG, fs(otherGroup))).toBe(false);
  });

  it('uses the owner bits for the owner, even when others may search', () => {
    const ownerLocked = { ...open, '/work': { mode: 0o075, uid: 101 } };
    expect(canReach('/work/app/data', PG, fs(ownerLocked))).toBe(false);
  });

  it('needs an x bit on the file to execute it', () => {
    const notExec = { ...open, '/work/app/bin/postgres': { mode: 0o644, dir: false } };
    expect(canExecute('/work/app/bin/postgres', PG, fs(notExec))).toBe(false);
  });

  it('treats a missing parent as unreachable', () => {
    const { '/work/app': _gone, ...rest } = open;
    expect(canReach('/work/app/data', PG, fs(rest))).toBe(false);
  });

  it('root reaches everything', () => {
    const closed = { ...open, '/work': { mode: 0o700 } };
    expect(canReach('/work/app/data', { uid: 0, gids: [0] }, fs(closed))).toBe(true);
  });
});
