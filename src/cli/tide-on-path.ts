/**
 * Puts this tide first on PATH for everything `tide up` starts, so a Deployment whose command
 * is `[tide, celery, worker, ...]` runs the same way from a git clone, a local install
 * (`npx tide up`) or a global one, with the same tide (version, Node) as the `tide up` that
 * starts it. The folder holds one small `tide` script: `.tide/bin/tide`, rewritten at start.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stateDir } from '../local/state-dir.js';
import { fromSources, packageRoot } from '../package-root.js';

/**
 * The file that starts this tide: the compiled CLI (dist/cli/main.js) in the package, or
 * bin/tide.js (the TypeScript sources through tsx) when tide runs from a clone's sources.
 */
export function tideEntry(): string {
  return join(packageRoot, fromSources ? 'bin/tide.js' : 'dist/cli/main.js');
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes `<dir>/tide` (atomically) and puts `dir` first on this process's PATH. */
export function putTideOnPath(dir: string = join(stateDir().root, 'bin')): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'tide');
  const tmp = `${file}.${process.pid}`;
  writeFileSync(
    tmp,
    `#!/bin/sh\n# Written by tide up: replicas that run \`tide\` get the tide that started them.\nexec ${shellQuote(process.execPath)} ${shellQuote(tideEntry())} "$@"\n`,
  );
  chmodSync(tmp, 0o755);
  renameSync(tmp, file);
  const rest = (process.env.PATH ?? '').split(delimiter).filter((p) => p && p !== dir);
  process.env.PATH = [dir, ...rest].join(delimiter);
  return file;
}
