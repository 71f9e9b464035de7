/**
 * Starts a private redis-server (Debian's) on a free port for tests that must not share the
 * machine's Redis on 6379 (FLUSH, passwords, shutdown). Stopped with `stop()`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  /**
   * Shuts the server down as an operator would (SIGTERM: with `--appendonly yes` the AOF is
   * flushed), keeping its port and data folder for `up()`.
   */
  down(): Promise<void>;
  /** Starts it again after `down()`, on the same port and data folder. */
  up(): Promise<void>;
  /** `down()` then `up()`. What tide set at run time (CONFIG SET) is gone afterwards. */
  restart(): Promise<void>;
}

export async function startRedis(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tide-redis-'));
  const password = extraArgs.includes('--requirepass')
    ? extraArgs[extraArgs.indexOf('--requirepass') + 1]
    : undefined;
  let server = await spawnRedis(port, dir, extraArgs, password);
  const down = () => server.kill('SIGTERM');
  const up = async () => {
    server = await spawnRedis(port, dir, extraArgs, password);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async stop() {
      await server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    down,
    up,
    async restart() {
      await down();
      await up();
    },
  };
}

async function spawnRedis(
  port: number,
  dir: string,
  extraArgs: string[],
  password: string | undefined,
): Promise<{ kill(signal: NodeJS.Signals): Promise<void> }> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  await waitFor(
    async () => {
      if (exited)
        throw new Error('redis-server exited at start (is Debian redis-server installed?)');
      const c = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        password,
      });
      c.on('error', () => undefined); // refused while the server starts: expected, retried
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    },
    { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on port ${port}` },
  );
  return {
    async kill(signal) {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await done;
    },
  };
}
