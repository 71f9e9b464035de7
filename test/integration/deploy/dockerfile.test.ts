/**
 * deploy/docker/Dockerfile, built stage by stage on this machine (no daemon here; see
 * test/support/dockerfile-stages.ts): the image holds production dependencies only, runs as a
 * non-root user, and its entry point starts: it validates the first source document's
 * manifests and answers `operator --help`, with nothing from devDependencies (tsx above all).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { buildStages, type BuiltImage } from '../../support/dockerfile-stages.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'tide-dockerfile-'));
let image: BuiltImage;

before(async () => {
  image = await buildStages(join(repo, 'deploy/docker/Dockerfile'), repo, work, (l) =>
    console.log(`[dockerfile] ${l}`),
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

const imageRun = (args: string[]) =>
  run(image.command[0]!, [...image.command.slice(1, -1), ...args], {
    cwd: image.workdir,
    // Only what the image sets, plus PATH to find node: no tsx loader, no dev tooling.
    env: { PATH: process.env.PATH ?? '', ...image.env },
  });

/** Every package name some installed package depends on. */
function requiredByInstalled(modules: string): Set<string> {
  const names = new Set<string>();
  const dirs = readdirSync(modules).flatMap((d) =>
    d.startsWith('@') ? readdirSync(join(modules, d)).map((s) => join(d, s)) : [d],
  );
  for (const d of dirs) {
    const manifest = join(modules, d, 'package.json');
    if (!existsSync(manifest)) continue;
    const p = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'])
      for (const name of Object.keys((p[field] as Record<string, string> | undefined) ?? {}))
        names.add(name);
  }
  return names;
}

test('the image holds production dependencies only', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const modules = join(image.workdir, 'node_modules');
  for (const dep of Object.keys(pkg.dependencies))
    assert.ok(existsSync(join(modules, dep, 'package.json')), `dependency ${dep} is in the image`);
  // A devDependency may be there only because a production package needs it itself
  // (@types/node comes with @kubernetes/client-node and mysql2).
  const needed = requiredByInstalled(modules);
  for (const dev of Object.keys(pkg.devDependencies))
    if (!needed.has(dev))
      assert.ok(!existsSync(join(modules, dev)), `devDependency ${dev} must not be in the image`);
  for (const tool of ['tsx', 'typescript', 'eslint', 'playwright-core'])
    assert.ok(!existsSync(join(modules, tool)), `${tool} must not be in the image`);
  assert.ok(!existsSync(join(image.workdir, 'src')), 'no TypeScript sources in the image');
});

test('the image runs as a non-root user and starts the operator by default', () => {
  assert.ok(image.user, 'USER is set');
  assert.doesNotMatch(image.user, /^(0|root)(:|$)/);
  assert.deepEqual(image.command.slice(-1), ['operator']);
});

test("the image's entry point runs compiled JavaScript: validate and operator --help", async () => {
  const valid = await imageRun(['validate', join(repo, 'examples/celery-redis')]);
  assert.match(valid.stdout, /^valid: 3 file\(s\), 3 object\(s\), 0 error\(s\)/);
  const help = await imageRun(['operator', '--help']);
  assert.match(help.stdout, /--qps/);
  assert.match(help.stdout, /--leader-elect/);
});
