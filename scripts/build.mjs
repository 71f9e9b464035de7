#!/usr/bin/env node
// Compiles src/ into dist/ (ESM JavaScript and .d.ts types, what the npm package ships) and
// copies the files the compiler does not emit (the dashboard's static page).
//   node scripts/build.mjs              clean build (npm run build; npm pack runs it as prepack)
//   node scripts/build.mjs --if-stale   only when a source is newer than dist/ (npm ci in a
//                                       clone runs it as prepare, so `npx tide` finds dist/)
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const marker = join(dist, 'cli', 'main.js');

/** Newest modification time under `dir` (files only). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (process.argv.includes('--if-stale') && existsSync(marker)) {
  const inputs = Math.max(
    newest(join(root, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map(
      (f) => statSync(join(root, f)).mtimeMs,
    ),
  );
  if (inputs <= statSync(marker).mtimeMs) process.exit(0);
}

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // `npm ci --omit=dev` in a clone: no compiler, and nothing asked for a build.
  if (process.argv.includes('--if-stale')) {
    console.error('build: typescript is not installed (dev dependencies omitted); dist/ not built');
    process.exit(0);
  }
  console.error('build: typescript is not installed: run `npm ci` first');
  process.exit(1);
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}
cpSync(join(root, 'src/observe/dashboard/static'), join(dist, 'observe/dashboard/static'), {
  recursive: true,
});
chmodSync(marker, 0o755);
console.error(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
