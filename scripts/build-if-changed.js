// Builds dist/ with tsc only when the sources changed since the last build (`--force`: always).
// `npm start`, `npm run demo`, `npm run apikey` … call this first, so a second run starts at once.
// Plain JavaScript: it has to run before anything is built.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(DIST, '.build-lock');
/** What tsconfig.build.json compiles, and what changes its output. */
const SOURCE_DIRS = ['src', 'sim', 'migrations', 'bench', 'dashboards'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** The build's entry points: when one is missing the stamp is not trusted. */
const OUTPUTS = ['dist/src/main.js', 'dist/sim/cli/demo.js', 'dist/src/cli/apikey.js'];

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) out.push(p);
  }
}

/** Path, size and modification time of every input: any edit, addition or deletion changes it. */
function fingerprint() {
  const files = [];
  for (const d of SOURCE_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d), files);
  for (const f of SOURCE_FILES) if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  const hash = createHash('sha256');
  for (const f of files.sort()) {
    const st = statSync(f);
    hash.update(`${relative(ROOT, f)}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function fresh(print) {
  return (
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8') === print &&
    OUTPUTS.every((o) => existsSync(join(ROOT, o)))
  );
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One build at a time (parallel test workers, two terminals); a lock older than 10 minutes is stale. */
function withLock(fn) {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 600_000) rmdirSync(LOCK);
      } catch {
        // removed meanwhile
      }
      sleep(300);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(LOCK);
  }
}

const force = process.argv.includes('--force');
let failed = false;
if (force || !fresh(fingerprint())) {
  withLock(() => {
    const print = fingerprint();
    if (!force && fresh(print)) return; // another process built it while we waited
    if (!force) process.stderr.write('Building Sverka (the sources changed since the last build)…\n');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
        cwd: ROOT,
        stdio: 'inherit',
      });
    } catch {
      failed = true; // tsc printed why
      return;
    }
    writeFileSync(STAMP, print);
  });
}
if (failed) process.exit(1);
