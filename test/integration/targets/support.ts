import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether `pid` is a live process. `kill(pid, 0)` alone is not enough here: this machine's
 * PID 1 does not reap orphans, so a killed grandchild lingers as a zombie (state Z), which
 * `kill(pid, 0)` still reports as existing although it runs nothing.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** A fresh directory for one test's logs, removed by the returned cleanup. */
export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `tide-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects output lines per source name, and the numbers printed after a tag (`leader 123`). */
export class Lines {
  readonly all: { name: string; stream: string; line: string }[] = [];
  readonly sink = (name: string, stream: string, line: string): void => {
    this.all.push({ name, stream, line });
  };

  /** Pids printed as `<tag> <pid>` by `name` (or by anyone when name is omitted). */
  pids(tag: string, name?: string): number[] {
    return this.all
      .filter((l) => (name === undefined || l.name === name) && l.line.startsWith(`${tag} `))
      .map((l) => Number(l.line.slice(tag.length + 1)));
  }
}

/*
 * Container args go through Kubernetes' `$(VAR)` expansion, where `$$` means a literal `$`:
 * the shell's own `$$` is therefore written `$$$$` below, as it would be in a pod spec.
 */

/**
 * A shell program that ignores SIGTERM and leaves a grandchild (a `sleep`, which inherits the
 * ignored SIGTERM) running; it prints `leader <pid>` and `grandchild <pid>`.
 */
export const STUBBORN = `trap '' TERM; sleep 1000 & echo grandchild $!; echo leader $$$$; wait; wait`;

/** A shell program that exits on SIGTERM at once but leaves a grandchild that ignores it. */
export const ABANDONS_CHILD = `(trap '' TERM; exec sleep 1000) & echo grandchild $!; echo leader $$$$; exec sleep 1000`;
