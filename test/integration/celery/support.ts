/**
 * Helpers for the Celery interop tests: a private redis-server on a spare port, the Python
 * peer (test/celery-peer, run by Debian's /usr/bin/python3 with python3-celery) and the TS
 * worker as child processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { waitFor } from '../../support/wait-for.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const PY = '/usr/bin/python3';
/** The project's Python Celery peer: celery_peer.py (the app) and peer_ctl.py (the producer). */
export const PEER_DIR = resolve(REPO_ROOT, 'test/celery-peer');

/** Fails with a clear message when Python Celery is missing, instead of skipping. */
export function requirePythonCelery(): void {
  const r = spawnSync(PY, ['-c', 'import celery, redis; print(celery.__version__)'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(
      `Python Celery not importable by ${PY}: install with 'apt-get install -y python3-celery python3-redis' (${r.stderr.trim()})`,
    );
  }
}

async function freePort(): Promise<number> {
  return await new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

/** Starts redis-server on a spare port with no persistence; never touches 6379. */
export async function startRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}/0`;
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
  });
  client.on('error', () => undefined); // refused until the server listens; waitFor reports the timeout
  await waitFor(async () => (await client.ping().catch(() => null)) === 'PONG', {
    timeoutMs: 10_000,
    what: `redis-server on port ${port}`,
  });
  return {
    port,
    url,
    client,
    async stop() {
      client.disconnect();
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    },
  };
}

export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  kill(sig?: NodeJS.Signals): void;
}

function track(proc: ChildProcess): Child {
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((r) =>
    proc.once('exit', (code, sig) => r(code ?? sig ?? -1)),
  );
  return {
    proc,
    output: () => out,
    exited,
    kill(sig = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    },
  };
}

/** A Python Celery worker (`-P solo` or `-P prefork -c 2`) of the peer; waits until ready. */
export async function startPythonWorker(
  redis: PrivateRedis,
  opts: { node: string; pool?: 'solo' | 'prefork'; env?: Record<string, string> },
): Promise<Child> {
  const pool = opts.pool === 'prefork' ? ['-P', 'prefork', '-c', '2'] : ['-P', 'solo'];
  const proc = spawn(
    PY,
    ['-m', 'celery', '-A', 'celery_peer', 'worker', '-l', 'INFO', '-n', opts.node, ...pool],
    {
      cwd: PEER_DIR,
      env: { ...process.env, BROKER_URL: redis.url, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const child = track(proc);
  await waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`python worker exited: ${child.output()}`);
      return await redis.client.get(`peer:ready:${opts.node}`);
    },
    { timeoutMs: 60_000, what: `python worker ${opts.node} ready` },
  );
  return child;
}

/** The TS worker entry (src/celery/worker-main.ts) with the fixture tasks; waits for "ready". */
export async function startTsWorker(
  redis: PrivateRedis,
  env: Record<string, string> = {},
): Promise<Child> {
  const entry = resolve(REPO_ROOT, 'src/celery/worker-main.ts');
  const tasks = resolve(REPO_ROOT, 'test/integration/celery/fixtures/tasks.ts');
  if (!existsSync(entry)) throw new Error(`missing ${entry}`);
  const proc = spawn(process.execPath, ['--import', 'tsx', entry, tasks], {
    cwd: REPO_ROOT,
    env: { ...process.env, CELERY_BROKER_URL: redis.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = track(proc);
  await waitFor(
    () => {
      if (proc.exitCode !== null)
        throw new Error(`ts worker exited ${proc.exitCode}: ${child.output()}`);
      return child.output().includes(' ready: queues=');
    },
    { timeoutMs: 60_000, what: 'ts worker ready' },
  );
  return child;
}

/** Runs a Python snippet in the peer's folder (celery_peer importable); resolves with its output. */
export async function runPython(
  code: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<string> {
  const proc = spawn(PY, ['-c', code], {
    cwd: PEER_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = track(proc);
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code_ = await child.exited;
  clearTimeout(t);
  if (code_ !== 0) throw new Error(`python exited ${code_}: ${child.output()}`);
  return child.output();
}

/** Stops a child and waits for it (SIGKILL after `ms`). */
export async function stopChild(c: Child, ms = 20_000): Promise<number | string> {
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), ms);
  const r = await c.exited;
  clearTimeout(t);
  return r;
}
