/**
 * The npm package as a user gets it: `npm pack` of this working tree, then the tarball
 * installed with `--omit=dev` into an empty prefix (production dependencies from the registry,
 * as `npm install` resolves them for a user; no lockfile, no tsx, no TypeScript).
 *
 * Packing compiles everything (about half a minute) and installing fetches ~140 packages, so
 * the result is kept in the temp folder under a hash of every input of the package, and
 * reused by every test file and every later run until a source changes. A lock folder keeps
 * two test processes from building the same one at once. The pack runs in a copy of the
 * package's inputs, so the clone's own dist/ is never rebuilt under a running `npx tide`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { pidAlive, repoRoot } from './tide-process.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** What the package is made from: a change to any of these makes a new package. */
const INPUTS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.mjs',
  'README.md',
  'CHANGELOG.md',
  'src',
];

export interface InstalledPackage {
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** What `npm pack --json` listed: every path in the tarball. */
  files: string[];
  /** The install prefix: `node_modules/tide-autoscaler` and `node_modules/.bin/tide` are in it. */
  prefix: string;
  /** The installed package folder. */
  packageDir: string;
  /** The installed `tide` executable. */
  tide: string;
  /** Seconds spent packing and installing (0 when reused). */
  builtInSeconds: number;
}

function filesUnder(p: string): string[] {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((n) => filesUnder(join(p, n)));
}

function inputsHash(): string {
  const h = createHash('sha256');
  for (const input of INPUTS)
    for (const f of filesUnder(join(repoRoot, input))) {
      h.update(relative(repoRoot, f)).update('\0').update(readFileSync(f)).update('\0');
    }
  return h.digest('hex').slice(0, 16);
}

async function build(dir: string, log: (line: string) => void): Promise<void> {
  const work = join(dir, 'src-copy');
  for (const input of INPUTS) cpSync(join(repoRoot, input), join(work, input), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(work, 'node_modules'));
  log('npm pack (prepack compiles dist/)');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: work,
    maxBuffer: 32 * 1024 * 1024,
  });
  // The prepack script's own output may come before the JSON.
  const json = packed.stdout.slice(packed.stdout.search(/^\[/m));
  const [info] = JSON.parse(json) as [{ filename: string; files: { path: string }[] }];
  writeFileSync(join(dir, 'files.json'), JSON.stringify(info.files.map((f) => f.path)));
  const prefix = join(dir, 'prefix');
  mkdirSync(prefix);
  log('npm install --omit=dev <tarball> into an empty prefix');
  await run(
    'npm',
    [
      'install',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--prefix',
      prefix,
      join(dir, info.filename),
    ],
    { cwd: prefix, maxBuffer: 32 * 1024 * 1024 },
  );
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(dir, 'tarball'), info.filename);
}

/** Removes packages of older sources (~120 MB each) that no test used for an hour. */
function pruneOld(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const dir = join(tmpdir(), name);
    if (!/^tide-package-[0-9a-f]{16}$/.test(name) || dir === keep) continue;
    const used = statSync(join(dir, 'complete'), { throwIfNoEntry: false })?.mtimeMs;
    if (used !== undefined ? Date.now() - used > 3_600_000 : !lockHeld(`${dir}.lock`))
      rmSync(dir, { recursive: true, force: true });
  }
}

/** True while a live process holds the lock folder (or is creating it right now). */
function lockHeld(lock: string): boolean {
  const since = statSync(lock, { throwIfNoEntry: false });
  if (!since) return false;
  let pid = 0;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return Date.now() - since.mtimeMs < 30_000; // no pid yet: being created
  }
  return pid > 0 && pidAlive(pid);
}

/** Takes the lock folder, taking it over from a process that died holding it. */
function takeLock(lock: string): boolean {
  if (existsSync(lock) && !lockHeld(lock)) rmSync(lock, { recursive: true, force: true });
  try {
    mkdirSync(lock);
  } catch {
    return false;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

/** Packs and installs this working tree once per content; later calls reuse it. */
export async function installedPackage(
  log: (line: string) => void = () => undefined,
): Promise<InstalledPackage> {
  const dir = join(tmpdir(), `tide-package-${inputsHash()}`);
  const done = join(dir, 'complete');
  const lock = `${dir}.lock`;
  const started = Date.now();
  let built = false;
  while (!existsSync(done)) {
    if (takeLock(lock)) {
      try {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        await build(dir, log);
        writeFileSync(done, new Date().toISOString());
        built = true;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    log(`another test process is packing into ${dir}; waiting for it`);
    await waitFor(() => existsSync(done) || !lockHeld(lock), {
      timeoutMs: 900_000,
      intervalMs: 1000,
      what: `the package another test process packs into ${dir}`,
    });
  }
  utimesSync(done, new Date(), new Date()); // in use: keeps pruneOld away from it
  pruneOld(dir);
  const prefix = join(dir, 'prefix');
  const packageDir = join(prefix, 'node_modules', 'tide-autoscaler');
  return {
    tarball: join(dir, readFileSync(join(dir, 'tarball'), 'utf8')),
    files: JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as string[],
    prefix,
    packageDir,
    tide: join(prefix, 'node_modules', '.bin', 'tide'),
    builtInSeconds: built ? (Date.now() - started) / 1000 : 0,
  };
}
