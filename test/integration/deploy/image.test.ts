/**
 * deploy/docker/Dockerfile built for real with buildah (Debian's package, no daemon), on a
 * local base image (scripts/image-base.sh: Debian minbase plus this machine's Node.js, since no
 * registry is reachable here), then run: as uid 1000, `tide validate` on the first source
 * document's manifests and `tide operator --help`; production dependencies only; and the tag
 * built is the one the Helm chart and deploy/operator/ deploy.
 *
 * Everything buildah keeps (the base, the build's layer cache) lives in ~/.cache/tide/containers
 * like the Go-built peers: a cold run (base + build) takes a few minutes, a warm one seconds.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../support/tide-process.js';

const run = promisify(execFile);
/** The tag the Helm chart's values and deploy/operator/deployment.yaml name. */
const TAG = 'tide:dev';
// The storage scripts/image-base.sh keeps the base in (~/.cache/tide/containers).
const [storageRoot, runroot] = spawnSync(join(repoRoot, 'scripts/image-base.sh'), ['--storage'], {
  encoding: 'utf8',
})
  .stdout.trim()
  .split('\n');
const storage = ['--root', storageRoot!, '--runroot', runroot!];
const buildah = (args: string[], opts: { timeout?: number } = {}) =>
  run('buildah', [...storage, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeout ?? 120_000,
  });

interface ImageConfig {
  User?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
}
let config: ImageConfig;
let container = '';
let root = '';

before(async () => {
  for (const tool of ['buildah', 'debootstrap'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is not installed: apt-get install -y buildah debootstrap`);
  let t = Date.now();
  const base = spawnSync(join(repoRoot, 'scripts/image-base.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (base.status !== 0) throw new Error(`scripts/image-base.sh failed (exit ${base.status})`);
  const baseImage = base.stdout.trim().split('\n').pop()!;
  console.log(`[image] base ${baseImage} ready in ${((Date.now() - t) / 1000).toFixed(0)} s`);

  // npm inside the build talks to the registry as npm here does: same CA file (a proxy's, on
  // some machines) and this machine's npm cache, so a cold build downloads little.
  const args = ['bud', '--layers', '--isolation', 'chroot', '--network', 'host', '--pull=never'];
  args.push('--build-arg', `BASE=${baseImage}`);
  const cafile = (
    await run('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' })
  ).stdout.trim();
  if (cafile && cafile !== 'null' && existsSync(cafile))
    args.push(
      '-v',
      `${cafile}:/run/tide-build-ca.crt:ro`,
      '--build-arg',
      'NPM_CONFIG_CAFILE=/run/tide-build-ca.crt',
    );
  const npmCache = join(homedir(), '.npm');
  if (existsSync(npmCache)) args.push('-v', `${npmCache}:/root/.npm`);
  args.push('-f', join(repoRoot, 'deploy/docker/Dockerfile'), '-t', TAG, repoRoot);
  t = Date.now();
  await buildah(args, { timeout: 900_000 }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`buildah bud failed:\n${(e.stdout ?? '').slice(-4000)}${e.stderr ?? ''}`);
  });
  console.log(`[image] built ${TAG} in ${((Date.now() - t) / 1000).toFixed(0)} s`);

  const inspected = JSON.parse((await buildah(['inspect', '--type', 'image', TAG])).stdout) as {
    OCIv1: { config: ImageConfig };
  };
  config = inspected.OCIv1.config;
  container = (await buildah(['from', '--pull=never', TAG])).stdout.trim();
  root = (await buildah(['mount', container])).stdout.trim();
});

after(async () => {
  if (container) await buildah(['rm', container]).catch(() => undefined);
});

/**
 * Runs `command` in the image as its configured user, with `mounts` (host:container:ro), and
 * resolves with what it printed. The output goes to a file in a mounted folder: once, on a
 * loaded machine, buildah's chroot isolation relayed nothing of a process that exited at once.
 */
async function inImage(command: string[], mounts: string[] = []): Promise<{ stdout: string }> {
  const out = mkdtempSync(join(tmpdir(), 'tide-image-out-'));
  try {
    chmodSync(out, 0o777); // written by the image's user
    const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    await buildah([
      'run',
      '--isolation',
      'chroot',
      '--user',
      config.User ?? 'root',
      '-v',
      `${out}:/out`,
      ...mounts.flatMap((m) => ['-v', m]),
      container,
      '--',
      'sh',
      '-c',
      `${quoted} > /out/stdout`,
    ]);
    return { stdout: readFileSync(join(out, 'stdout'), 'utf8') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test('the image runs as uid 1000, with tide as its entry point and the operator by default', async () => {
  assert.equal(config.User, '1000:1000');
  assert.deepEqual(config.Entrypoint, ['tide']);
  assert.deepEqual(config.Cmd, ['operator']);
  assert.equal((await inImage(['id', '-u'])).stdout.trim(), '1000');
});

test('tide validate and tide operator --help run inside the image', async () => {
  const entry = config.Entrypoint ?? [];
  const example = join(repoRoot, 'examples/celery-redis');
  const valid = await inImage([...entry, 'validate', '/manifests'], [`${example}:/manifests:ro`]);
  assert.match(valid.stdout, /^valid: 3 file\(s\), 3 object\(s\), 0 error\(s\)/);
  const help = await inImage([...entry, 'operator', '--help']);
  assert.match(help.stdout, /--qps/);
  assert.match(help.stdout, /--leader-elect/);
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

test('the image holds compiled JavaScript and production dependencies only', () => {
  const app = join(root, config.WorkingDir ?? '/app');
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const modules = join(app, 'node_modules');
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
  assert.ok(!existsSync(join(app, 'src')), 'no TypeScript sources in the image');
  assert.ok(existsSync(join(app, 'dist/observe/dashboard/static/index.html')), 'the dashboard');
});

test("the Helm chart's and deploy/operator/'s image is the tag built", async () => {
  const values = parseYaml(
    readFileSync(join(repoRoot, 'deploy/helm/tide/values.yaml'), 'utf8'),
  ) as { image: { repository: string; tag: string } };
  assert.equal(`${values.image.repository}:${values.image.tag}`, TAG);
  const plain = readFileSync(join(repoRoot, 'deploy/operator/deployment.yaml'), 'utf8');
  assert.match(plain, new RegExp(`image: ${TAG}\\n`));
  const images = (await buildah(['images', '--format', '{{.Name}}:{{.Tag}}'])).stdout;
  assert.match(images, new RegExp(`^localhost/${TAG}$`, 'm'), 'buildah holds the built tag');
});
