/**
 * Private Redis servers for integration tests: each test starts what it needs on free ports in
 * a temp dir and stops it in `after`. Readiness is a condition (the port accepts connections,
 * or `redis-cli` answers), never a sleep.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SharedConnectionPool } from '../../../src/scalers/core/pool.js';
import type { ConnectionPool, ScalerContext } from '../../../src/scalers/core/types.js';
import { waitFor } from '../../support/wait-for.js';

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface ServerProcess {
  port: number;
  dir: string;
  proc: ChildProcess;
  /** Output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `binary args...` (cwd = a fresh temp dir) and waits until `port` accepts connections. */
export async function startServer(
  binary: string,
  args: string[],
  port: number,
  what: string,
): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tide-redis-'));
  const proc = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited = false;
  proc.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`${what} exited: ${out.slice(-500)}`);
        return accepts(port);
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `${what} on port ${port}` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, dir, proc, log: () => out, stop };
}

/** A plain redis-server with persistence off; extra args appended. */
export async function startRedis(extra: string[] = [], port?: number): Promise<ServerProcess> {
  const p = port ?? (await freePort());
  return startServer(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
    p,
    'redis-server',
  );
}

/** Runs redis-cli synchronously (setup steps only). */
export function redisCli(args: string[]): string {
  const r = spawnSync('redis-cli', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(`redis-cli ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A scaler context for tests: silent logger, a fresh (or given) pool, the real clock. */
export function testContext(
  triggerIndex = 0,
  pool: ConnectionPool = new SharedConnectionPool(),
): ScalerContext {
  return {
    triggerIndex,
    triggerRef: `ScaledObject default/test-so trigger ${triggerIndex} (redis)`,
    logger: pino({ level: 'silent' }),
    pool,
    metricType: 'AverageValue',
    now: () => Date.now(),
  };
}
