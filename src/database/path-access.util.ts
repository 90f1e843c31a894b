import { dirname, resolve } from 'node:path';

/** A system user as the kernel sees it for permission checks. */
export interface Principal {
  uid: number;
  /** Primary and supplementary group ids. */
  gids: number[];
}

/** The parts of `fs.Stats` the check reads. */
export interface ModeStat {
  mode: number;
  uid: number;
  gid: number;
  isDirectory(): boolean;
}

/** Which permission bits a principal gets on an inode: owner's, else group's, else others' (as POSIX). */
function bitsFor(st: ModeStat, who: Principal): number {
  if (who.uid === 0) return 0o7;
  if (st.uid === who.uid) return (st.mode >> 6) & 0o7;
  if (who.gids.includes(st.gid)) return (st.mode >> 3) & 0o7;
  return st.mode & 0o7;
}

/**
 * Whether `who` can reach `path`: search (x) permission on every directory from `/` down to the
 * path's parent. Why: PostgreSQL refuses to run as root, so a root-started demo runs it as the
 * `postgres` user, who cannot reach a project inside `/root` or a `mktemp -d` (0700) folder even
 * though root can. `stat` is injected so the rule is testable without real users.
 */
export function canReach(path: string, who: Principal, stat: (p: string) => ModeStat): boolean {
  let dir = dirname(resolve(path));
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of chain) {
    let st: ModeStat;
    try {
      st = stat(d);
    } catch {
      return false;
    }
    if (!st.isDirectory() || (bitsFor(st, who) & 0o1) === 0) return false;
  }
  return true;
}

/** Whether `who` may execute the file at `path` (reachable, and an x bit for them). */
export function canExecute(path: string, who: Principal, stat: (p: string) => ModeStat): boolean {
  if (!canReach(path, who, stat)) return false;
  try {
    const st = stat(path);
    return !st.isDirectory() && (bitsFor(st, who) & 0o1) !== 0;
  } catch {
    return false;
  }
}
