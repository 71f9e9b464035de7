/**
 * The newest lines of the newest log files in a folder, read from the end with a byte bound,
 * so a replica that printed gigabytes costs the dashboard the same as one that printed ten lines.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplicaLog } from './source.js';

export interface TailOptions {
  /** Lines kept per file. @default 40 */
  lines?: number;
  /** Bytes read from the end of each file. @default 16 KiB */
  maxBytes?: number;
  /** Files kept, most recently written first. @default 6 */
  files?: number;
}

/** The last `lines` lines of one file, reading at most `maxBytes` from its end. */
export async function tailFile(
  path: string,
  opts: { lines: number; maxBytes: number },
): Promise<{ lines: string[]; truncated: boolean }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - opts.maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    let lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // Reading from the middle of the file: the first line is probably cut.
    if (start > 0) lines = lines.slice(1);
    const cut = start > 0 || lines.length > opts.lines;
    return { lines: lines.slice(-opts.lines), truncated: cut };
  } finally {
    await fh.close();
  }
}

/** Tails the `*.log` files of a folder, newest first; a missing folder is no logs yet. */
export async function tailLogFolder(dir: string, opts: TailOptions = {}): Promise<ReplicaLog[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const withTimes = await Promise.all(
    names.map(async (n) => ({ n, mtime: (await stat(join(dir, n))).mtimeMs })),
  );
  withTimes.sort((a, b) => b.mtime - a.mtime);
  return Promise.all(
    withTimes.slice(0, opts.files ?? 6).map(async ({ n, mtime }) => {
      const t = await tailFile(join(dir, n), {
        lines: opts.lines ?? 40,
        maxBytes: opts.maxBytes ?? 16 * 1024,
      });
      return {
        replica: n.slice(0, -'.log'.length),
        updatedAt: new Date(mtime).toISOString(),
        lines: t.lines,
        truncated: t.truncated,
      };
    }),
  );
}
