/**
 * Runs `tide up` as a real child process for end-to-end tests, reads its status through the
 * control socket, and stops it with SIGTERM like a user pressing Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { queryControl } from '../../src/local/control.js';
import { stateDir } from '../../src/local/state-dir.js';
import type { ObjectStatus, TideStatus } from '../../src/scheduler/status.js';
import { waitFor } from './wait-for.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const tideBin = join(repoRoot, 'bin', 'tide.js');

export interface TideUp {
  child: ChildProcess;
  output: () => string;
  status(): Promise<TideStatus>;
  object(kind: string, name: string): Promise<ObjectStatus | undefined>;
  stop(): Promise<number | null>;
}

/**
 * Starts `tide up <args>` in `cwd`: the clone's sources (bin/tide.js), or the `tide` executable
 * given as `opts.tide` (an installed package's).
 */
export async function startTideUp(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { detached?: boolean; tide?: string } = {},
): Promise<TideUp> {
  const argv = opts.tide ? [opts.tide, 'up', ...args] : [process.execPath, tideBin, 'up', ...args];
  // detached: its own process group, as a terminal's foreground job (signal it with kill(-pid)).
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  const socket = stateDir(cwd).controlSocket;
  const status = async () => (await queryControl(socket, '/status')) as TideStatus;
  try {
    await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error(`tide up exited with ${exitCode}:\n${out}`);
        return await status();
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'tide up to answer on its control socket' },
    );
  } catch (e) {
    // Never leave it running: a live child keeps the test process (and the whole run) alive.
    if (exitCode === undefined) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    throw new Error(`${(e as Error).message}\ntide up output:\n${out.slice(-4000)}`, { cause: e });
  }
  return {
    child,
    output: () => out,
    status,
    async object(kind, name) {
      return (await status()).objects.find((o) => o.kind === kind && o.name === name);
    },
    async stop() {
      if (exitCode !== undefined) return exitCode;
      const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      return done;
    },
  };
}

/** True when a process with this pid exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
