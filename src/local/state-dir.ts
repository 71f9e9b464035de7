/**
 * The local-mode state folder (`.tide/` in the working directory): replica and job logs, the
 * decision log, the lock that keeps a second `tide up` out, and the control socket.
 */
import {
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  unlinkSync,
  writeSync,
  constants,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { TideError } from '../errors.js';

export interface StateDir {
  readonly root: string;
  readonly logs: string;
  readonly lockFile: string;
  readonly controlSocket: string;
}

export function stateDir(cwd: string = process.cwd()): StateDir {
  const root = resolve(cwd, '.tide');
  return {
    root,
    logs: join(root, 'logs'),
    lockFile: join(root, 'tide.pid'),
    // Unix socket paths are limited to ~107 bytes; fall back to a short path under /tmp.
    controlSocket: controlSocketPath(root),
  };
}

function controlSocketPath(root: string): string {
  const p = join(root, 'control.sock');
  if (Buffer.byteLength(p) < 100) return p;
  let h = 0;
  for (const c of root) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `/tmp/tide-${h.toString(36)}.sock`;
}

export class AlreadyRunningError extends TideError {
  override readonly name = 'AlreadyRunningError';
  readonly code = 'TIDE_ALREADY_RUNNING' as const;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock: a pid file created exclusively. A lock left by a dead process is
 * taken over; a live one means another `tide up` runs here, and we refuse.
 * Returns a release function.
 */
export function acquireLock(dir: StateDir): () => void {
  mkdirSync(dir.root, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(
        dir.lockFile,
        constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
        0o644,
      );
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(dir.lockFile, 'utf8').trim() === String(process.pid))
            unlinkSync(dir.lockFile);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(dir.lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new AlreadyRunningError(
          `tide up is already running in ${dir.root} (pid ${pid}); use \`tide status\` to see it, or stop it first`,
        );
      }
      unlinkSync(dir.lockFile); // stale lock from a process that died
    }
  }
  throw new AlreadyRunningError(`could not take the lock ${dir.lockFile}`);
}
