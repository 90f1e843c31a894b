import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync, existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LOCK = join(ROOT, 'dist', '.build-lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Makes sure `dist/` holds a build of the current sources, for tests that run the real service or a
 * CLI as a child process (`node dist/src/...`). Builds at most once at a time across Jest workers.
 * Returns the project root.
 */
export function ensureBuilt(): string {
  // A stamp written after each build here: an incremental build leaves unchanged outputs (main.js) untouched.
  const marker = join(ROOT, 'dist', '.built-at');
  const sources = Math.max(
    ...['src', 'sim', 'migrations', 'bench', 'dashboards']
      .filter((d) => existsSync(join(ROOT, d)))
      .map((d) => newestMtime(join(ROOT, d))),
  );
  const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= sources;
  if (fresh()) return ROOT;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      sleep(500);
      if (fresh()) return ROOT;
    }
  }
  try {
    if (!fresh()) {
      const started = Date.now();
      execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'inherit' });
      writeFileSync(marker, '');
      // Sources edited while building are newer than the stamp: the next call builds again.
      utimesSync(marker, new Date(started), new Date(started));
    }
  } finally {
    rmdirSync(LOCK);
  }
  return ROOT;
}
