import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Makes sure `dist/` holds a build of the current sources, for tests that run the real service or a
 * CLI as a child process (`node dist/src/...`): the same stamp check as `npm start` and `npm run demo`
 * (scripts/build-if-changed.js), which builds at most once at a time across Jest workers.
 * Returns the project root.
 */
export function ensureBuilt(): string {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-if-changed.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return ROOT;
}
