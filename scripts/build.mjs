#!/usr/bin/env node
// Builds dist/, what the npm package and the image ship:
//   - JavaScript: esbuild bundles the entry points (the `tide` CLI, `tide-autoscaler`,
//     `tide-autoscaler/celery`) into ESM files with shared chunks in dist/chunks/, each CLI
//     command and each lazily loaded part in its own chunk. zod is bundled in (as ~100 small
//     modules it was a third of `tide validate`'s start-up); every other dependency stays an
//     import of the installed package.
//   - Types: tsc emits the .d.ts of every module (zod stays a dependency: they refer to it).
//   - The dashboard's static page, and the licence of what is bundled.
//   node scripts/build.mjs              clean build (npm run build; npm pack runs it as prepack)
//   node scripts/build.mjs --if-stale   only when a source is newer than dist/ (scripts/setup.sh)
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const marker = join(dist, 'cli', 'main.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Dependencies compiled into dist/ rather than imported at run time. */
const BUNDLED = ['zod'];

/** Newest modification time under `dir` (files only). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && existsSync(marker)) {
  const inputs = Math.max(
    newest(join(root, 'src')),
    ...['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.mjs'].map(
      (f) => statSync(join(root, f)).mtimeMs,
    ),
  );
  if (inputs <= statSync(marker).mtimeMs) process.exit(0);
}

const require = createRequire(import.meta.url);
let tsc;
let esbuild;
try {
  tsc = require.resolve('typescript/bin/tsc');
  esbuild = await import('esbuild');
} catch {
  // `npm ci --omit=dev` in a clone: no compiler, and nothing asked for a build.
  const msg = 'typescript and esbuild (dev dependencies) are not installed';
  console.error(ifStale ? `build: ${msg}; dist/ not built` : `build: ${msg}: run npm ci first`);
  process.exit(ifStale ? 0 : 1);
}

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
const types = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (types.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.exit(types.status ?? 1);
}
const external = Object.keys(pkg.dependencies)
  .filter((d) => !BUNDLED.includes(d))
  .flatMap((d) => [d, `${d}/*`]);
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/index.ts', 'src/celery/index.ts'],
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // tsx only ever loads a user's TypeScript tasks module, from the user's project.
  external: [...external, 'tsx', 'tsx/*'],
  legalComments: 'none',
  logLevel: 'warning',
});
cpSync(join(root, 'src/observe/dashboard/static'), join(dist, 'observe/dashboard/static'), {
  recursive: true,
});
writeFileSync(
  join(dist, 'THIRD-PARTY-LICENSES.md'),
  `# Bundled into dist/\n\n${BUNDLED.map(
    (d) =>
      `## ${d} ${require(`${d}/package.json`).version}\n\n${readFileSync(
        join(root, 'node_modules', d, 'LICENSE'),
        'utf8',
      ).trim()}\n`,
  ).join('\n')}`,
);
chmodSync(marker, 0o755);
console.error(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
