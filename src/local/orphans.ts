/**
 * Replicas and jobs that outlive the `tide up` that started them. tide stops every process group
 * it started when it exits, but a `tide up` killed with SIGKILL (or a machine that froze) cannot:
 * its replicas run on unsupervised, holding tasks. So tide keeps a ledger of its live process
 * groups in `.tide/groups.json`, and the next `tide up` in the same folder, after taking over the
 * stale lock, stops the groups still alive as a kubelet stops a pod: SIGTERM, then SIGKILL after
 * their grace. A recycled pid is told apart by its start time (`/proc/<pid>/stat`).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { signalGroup } from '../targets/local/child.js';

export interface GroupEntry {
  /** Process group id (the leader's pid). */
  pid: number;
  /** The leader's start time in clock ticks since boot, as `/proc/<pid>/stat` says. */
  start: string;
  /** Replica or job name. */
  name: string;
  graceSeconds: number;
}

/** The start time of a process, or undefined when it does not exist (or /proc is absent). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command (field 2) may hold spaces and parentheses, so count after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The live groups of this `tide up`, written to disk shortly after each change. */
export class GroupLedger {
  readonly #file: string;
  readonly #groups = new Map<number, GroupEntry>();
  #timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  add(pid: number, name: string, graceSeconds: number): void {
    const start = processStartTime(pid);
    if (start === undefined) return;
    this.#groups.set(pid, { pid, start, name, graceSeconds });
    this.#schedule();
  }

  remove(pid: number): void {
    if (this.#groups.delete(pid)) this.#schedule();
  }

  /** Writes now (at exit). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const tmp = `${this.#file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify([...this.#groups.values()]));
      renameSync(tmp, this.#file);
    } catch {
      // A ledger that cannot be written only costs the cleanup after a crash.
    }
  }

  #schedule(): void {
    // Coalesced: a burst of job starts costs one write.
    this.#timer ??= setTimeout(() => this.flush(), 200);
    this.#timer.unref();
  }
}

/**
 * Stops the groups a previous `tide up` left in `file`: those still alive with the same start
 * time get SIGTERM, and SIGKILL after their grace if they have not exited. Resolves with how
 * many were stopped, once all are gone.
 */
export async function stopOrphans(file: string, log: (msg: string) => void): Promise<number> {
  let entries: GroupEntry[];
  try {
    entries = JSON.parse(readFileSync(file, 'utf8')) as GroupEntry[];
  } catch {
    return 0;
  }
  const alive = entries.filter((e) => processStartTime(e.pid) === e.start);
  if (alive.length === 0) return 0;
  log(
    `stopping ${alive.length} replica(s)/job(s) left running by a tide that died: ${alive.map((e) => e.name).join(', ')}`,
  );
  await Promise.all(
    alive.map(async (e) => {
      signalGroup(e.pid, 'SIGTERM');
      const deadline = Date.now() + e.graceSeconds * 1000;
      while (processStartTime(e.pid) === e.start && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      if (processStartTime(e.pid) === e.start) signalGroup(e.pid, 'SIGKILL');
    }),
  );
  return alive.length;
}
