import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { TargetError, errorMessage } from '../../errors.js';
import type { OutputStream, Termination } from '../target.js';
import { describeCommand, materialize, type ProcessSpec } from './process-spec.js';

/** How one run of a process ended. */
export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  /** Set when the command could not be started at all (ENOENT, EACCES, bad workingDir). */
  startError?: TargetError;
  /** True when tide asked it to stop (scale-in, delete, deadline, shutdown). */
  requested: boolean;
  finishedAt: Date;
}

/** Receives every output line with the name of the replica or job that wrote it. */
export type LineSink = (name: string, stream: OutputStream, line: string) => void;

/** After the group leader exits, how long its pipes may stay open (held by an escaped process). */
const PIPE_DRAIN_MS = 2000;

/**
 * Process groups alive right now. If tide dies without a graceful stop (an uncaught error), the
 * `exit` hook SIGKILLs them so no replica outlives it. Detached children would otherwise survive.
 */
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of liveGroups) signalGroup(p, 'SIGKILL');
  });
}

/** Told of every process group started and ended (`tide up` keeps a ledger for crash cleanup). */
export interface GroupObserver {
  started(pid: number, name: string, graceSeconds: number): void;
  ended(pid: number): void;
}
let groupObserver: GroupObserver | undefined;

export function observeGroups(o: GroupObserver | undefined): void {
  groupObserver = o;
}

/** Runs not finished yet, for `hurryAll`. */
const liveRuns = new Set<ChildRun>();

/**
 * "Stop now" (a second Ctrl-C): every run already asked to stop gets SIGTERM again (tide's
 * Celery worker then puts its tasks back and exits at once) and SIGKILL after `ms` instead of
 * the rest of its grace. Resolves when they have all ended.
 */
export async function hurryAll(ms: number): Promise<void> {
  const runs = [...liveRuns];
  for (const r of runs) r.hurry(ms);
  await Promise.all(runs.map((r) => r.done));
}

/** Signals the whole group (`kill(-pgid)`); falls back to the leader alone if the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone: nothing to signal.
    }
  }
}

/** A per-replica (or per-job) log file, appended by every run, raw lines as `kubectl logs` shows. */
export class LineLog {
  readonly #stream: WriteStream;
  #closed: Promise<void> | undefined;

  constructor(readonly path: string) {
    this.#stream = createWriteStream(path, { flags: 'a' });
    // A full disk must not crash tide; the lines still reach the terminal.
    this.#stream.on('error', () => undefined);
  }

  write(line: string): void {
    if (!this.#closed) this.#stream.write(line + '\n');
  }

  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => this.#stream.end(() => resolve()));
    return this.#closed;
  }
}

export interface RunOptions {
  spec: ProcessSpec;
  /** Replica or job name: passed to `onLine`, named in errors. */
  name: string;
  /** `Kind namespace/name` of the owner, for errors. */
  objectName: string;
  log: LineLog;
  onLine?: LineSink;
  /** Called once the OS confirmed the process started. */
  onSpawn?: (pid: number) => void;
}

/**
 * One run of a container command in its own process group (`detached: true` gives it a new
 * session, so `kill(-pid)` reaches every descendant that did not start its own session).
 * When the leader exits, for whatever reason, the rest of its group is SIGKILLed, as a
 * container runtime ends a container when its main process ends.
 */
export class ChildRun {
  /** Resolves once the leader exited, the group was killed and output was drained. */
  readonly done: Promise<RunResult>;
  #pid: number | undefined;
  #requested = false;
  #killTimer: NodeJS.Timeout | undefined;
  /** When the pending SIGKILL is due (ms since the epoch). */
  #killAt = Infinity;
  #resolve!: (r: RunResult) => void;
  #finished = false;

  constructor(private readonly opts: RunOptions) {
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    liveRuns.add(this);
    this.#start();
  }

  get pid(): number | undefined {
    return this.#finished ? undefined : this.#pid;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /**
   * SIGTERM to the group, SIGKILL after `graceMs` if the leader has not exited. Resolves when
   * it has. Calling it again, or after the run ended, just returns `done`.
   */
  terminate(graceMs: number): Promise<RunResult> {
    if (this.#finished || this.#requested) return this.done;
    this.#requested = true;
    const pid = this.#pid;
    if (pid !== undefined) {
      signalGroup(pid, 'SIGTERM');
      this.#killAt = Date.now() + graceMs;
      this.#killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    }
    return this.done;
  }

  /**
   * If it was asked to stop: SIGTERM again and SIGKILL after `ms` (or sooner than planned).
   * Runs nobody asked to stop are left alone.
   */
  hurry(ms: number): void {
    const pid = this.#pid;
    if (this.#finished || !this.#requested || pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    this.#killAt = Math.min(this.#killAt, Date.now() + ms);
    clearTimeout(this.#killTimer);
    this.#killTimer = setTimeout(
      () => signalGroup(pid, 'SIGKILL'),
      Math.max(0, this.#killAt - Date.now()),
    );
  }

  #start(): void {
    const { spec, objectName, name } = this.opts;
    const what = `container command ${describeCommand(spec)} of ${name}`;
    if (spec.command.length === 0 || !spec.command[0]) {
      return this.#startFailed(new TargetError(objectName, `${what}: the command is empty`));
    }
    if (spec.cwd !== undefined && !isDirectory(spec.cwd)) {
      return this.#startFailed(
        new TargetError(
          objectName,
          `${what}: workingDir ${JSON.stringify(spec.cwd)} is not a directory`,
        ),
      );
    }
    const { argv, env } = materialize(spec);
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: spec.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      return this.#startFailed(
        new TargetError(objectName, `${what} could not start: ${errorMessage(e)}`, { cause: e }),
      );
    }
    this.#pid = child.pid;
    if (child.pid !== undefined) {
      track(child.pid);
      groupObserver?.started(child.pid, name, spec.terminationGracePeriodSeconds ?? 30);
    }

    const drained = Promise.all([
      this.#lines(child.stdout, 'stdout'),
      this.#lines(child.stderr, 'stderr'),
    ]);
    child.once('spawn', () => {
      if (child.pid !== undefined) this.opts.onSpawn?.(child.pid);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // After a successful spawn, 'error' only reports a failed kill(); 'exit' still follows.
      // (`on`, not `once`: a second unhandled 'error' would crash tide.)
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) return;
      this.#startFailed(new TargetError(objectName, startErrorMessage(what, err), { cause: err }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(this.#killTimer);
      // The leader is gone: end whatever it left in its group (container semantics).
      if (child.pid !== undefined) {
        signalGroup(child.pid, 'SIGKILL');
        liveGroups.delete(child.pid);
        groupObserver?.ended(child.pid);
      }
      const finishedAt = new Date();
      const cap = new Promise((r) => setTimeout(r, PIPE_DRAIN_MS).unref());
      void Promise.race([drained, cap]).then(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        this.#finish({ exitCode: code, signal, requested: this.#requested, finishedAt });
      });
    });
  }

  #lines(stream: Readable | null, kind: OutputStream): Promise<void> {
    if (!stream) return Promise.resolve();
    // A pipe error must not crash tide; the 'exit' path still completes the run.
    stream.on('error', () => undefined);
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      this.opts.log.write(line);
      try {
        this.opts.onLine?.(this.opts.name, kind, line);
      } catch {
        // A broken printer must not take the replica down with it.
      }
    });
    return new Promise((resolve) => rl.once('close', resolve));
  }

  #startFailed(err: TargetError): void {
    // Report asynchronously, like a real exit, so callers see one code path.
    queueMicrotask(() =>
      this.#finish({
        exitCode: null,
        signal: null,
        startError: err,
        requested: this.#requested,
        finishedAt: new Date(),
      }),
    );
  }

  #finish(r: RunResult): void {
    if (this.#finished) return;
    this.#finished = true;
    liveRuns.delete(this);
    clearTimeout(this.#killTimer);
    this.#resolve(r);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function startErrorMessage(what: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') {
    return `${what} could not start: executable not found (is it installed and on PATH, or is the path right?)`;
  }
  if (err.code === 'EACCES')
    return `${what} could not start: permission denied (is the file executable?)`;
  return `${what} could not start: ${err.code ?? err.message}`;
}

/** Maps how a run ended to the kubelet's `lastState.terminated`. */
export function termination(res: RunResult): Termination {
  const reason = res.startError ? 'StartError' : res.exitCode === 0 ? 'Completed' : 'Error';
  return {
    reason,
    exitCode: res.exitCode,
    signal: res.signal,
    finishedAt: res.finishedAt,
    ...(res.startError ? { message: res.startError.message } : {}),
  };
}

export function exitText(res: RunResult): string {
  return res.signal ? `killed by ${res.signal}` : `exited with code ${res.exitCode ?? '?'}`;
}
