/**
 * Resource usage of local replicas from /proc (Linux): each replica is a process group (tide
 * spawns the command as a group leader), so its usage is the sum over the group's members —
 * the command and everything it forked. CPU is user+system time including reaped children
 * (`cutime`/`cstime`, so time does not vanish when a worker's child exits); memory is RSS.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface GroupSample {
  /** CPU seconds consumed by the group so far (user + system, with reaped children). */
  cpuSeconds: number;
  /** Resident memory of the group's live processes, bytes. */
  rssBytes: number;
  /** Seconds since the group leader started (for a first reading without a previous sample). */
  ageSeconds: number;
  /** Live processes in the group. */
  processes: number;
}

let sysconf: { clkTck: number; pageSize: number } | undefined;
/** CLK_TCK and the page size (100 and 4096 on almost every Linux, asked once to be sure). */
function conf(): { clkTck: number; pageSize: number } {
  if (!sysconf) {
    const ask = (name: string, fallback: number): number => {
      try {
        const n = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
        return Number.isFinite(n) && n > 0 ? n : fallback;
      } catch {
        return fallback;
      }
    };
    sysconf = { clkTck: ask('CLK_TCK', 100), pageSize: ask('PAGESIZE', 4096) };
  }
  return sysconf;
}

interface Stat {
  pgrp: number;
  ticks: number;
  startTicks: number;
  rssPages: number;
}

/** Fields of /proc/<pid>/stat after the `(comm)` (which may hold spaces and parentheses). */
export function parseStat(text: string): Stat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") ": field 3 (state) is index 0, so field n is index n - 3.
  const f = text.slice(close + 2).split(' ');
  const at = (n: number) => Number(f[n - 3]);
  const stat = {
    pgrp: at(5),
    ticks: at(14) + at(15) + at(16) + at(17),
    startTicks: at(22),
    rssPages: at(24),
  };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

function uptimeSeconds(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/**
 * One pass over /proc: a sample per asked-for group leader. A group with no live process is
 * missing from the result (the replica just exited).
 */
export function sampleGroups(leaders: readonly number[]): Map<number, GroupSample> {
  const { clkTck, pageSize } = conf();
  const wanted = new Set(leaders);
  const out = new Map<number, GroupSample>();
  const uptime = uptimeSeconds();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    const s = parseStat(text);
    if (!s || !wanted.has(s.pgrp)) continue;
    const g = out.get(s.pgrp) ?? { cpuSeconds: 0, rssBytes: 0, ageSeconds: 0, processes: 0 };
    g.cpuSeconds += s.ticks / clkTck;
    g.rssBytes += s.rssPages * pageSize;
    g.processes += 1;
    if (Number(entry) === s.pgrp) g.ageSeconds = Math.max(0, uptime - s.startTicks / clkTck);
    out.set(s.pgrp, g);
  }
  return out;
}
