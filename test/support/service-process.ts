import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/database/free-port.js';
import { ensureBuilt } from './built.js';

/** The built service (`node dist/src/main.js`, as `npm start` runs it) as a child process of its own group. */
export interface ServiceProcess {
  url: string;
  pid: number;
  proc: ChildProcess;
  /** Everything it printed so far. */
  log(): string;
  /** kill -9 of its whole process group, as an operator's `kill -9 -<pgid>` or a power loss would. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** An authenticated JSON call. */
  api(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a response body read field by field by the tests
  ): Promise<{ status: number; json: () => any }>;
}

/** Starts the service with `env` (PORT is chosen here) and waits until it listens. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const root = ensureBuilt();
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
    cwd: '/tmp',
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const end = Date.now() + 60_000;
  while (!out.includes('listening on')) {
    if (Date.now() > end || proc.exitCode !== null) throw new Error(`service did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: proc.pid!,
    proc,
    log: () => out,
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(-proc.pid!, 'SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async api(method, path, key, body) {
      const send = () =>
        fetch(`${url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
      let r: Response;
      try {
        r = await send();
      } catch (e) {
        // A kept-alive socket the server closed just as it was reused: a GET is safe to send again.
        if (method !== 'GET' || proc.exitCode !== null || proc.signalCode !== null) throw e;
        r = await send();
      }
      const text = await r.text();
      return { status: r.status, json: () => JSON.parse(text) };
    },
  };
}

/** A new API key from the real CLI against `env`'s database (migrations must have run). */
export function createApiKey(env: Record<string, string>, name: string, role: string): string {
  const root = ensureBuilt();
  const cli = spawnSync(
    process.execPath,
    [join(root, 'dist/src/cli/apikey.js'), 'create', '--name', name, '--role', role],
    {
      cwd: '/tmp',
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    },
  );
  if (cli.status !== 0) throw new Error(`apikey create failed: ${cli.stderr}`);
  return cli.stdout.trim();
}
