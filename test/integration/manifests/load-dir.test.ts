import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadManifests } from '../../../src/manifests/index.js';

const cm = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;
let root = '';

after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test('a directory is read recursively: *.yaml and *.yml, skipping dotfiles, dot-directories and node_modules', async () => {
  root = await mkdtemp(join(tmpdir(), 'tide-manifests-'));
  await mkdir(join(root, 'sub', 'deeper'), { recursive: true });
  await mkdir(join(root, '.tide'));
  await mkdir(join(root, 'node_modules', 'pkg'), { recursive: true });
  await writeFile(join(root, 'a.yaml'), cm('a'));
  await writeFile(join(root, 'sub', 'b.yml'), cm('b'));
  await writeFile(join(root, 'sub', 'deeper', 'c.yaml'), cm('c'));
  await writeFile(join(root, 'notes.txt'), 'not: yaml: at: all');
  await writeFile(join(root, '.hidden.yaml'), cm('hidden'));
  await writeFile(join(root, '.tide', 'state.yaml'), cm('state'));
  await writeFile(join(root, 'node_modules', 'pkg', 'x.yaml'), cm('dep'));

  const r = await loadManifests([root]);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.set.configMaps.map((c) => c.metadata.name).sort(), ['a', 'b', 'c']);
  assert.equal(r.files.length, 3);

  // An explicitly named file is read whatever its name, and a repeated path is read once.
  const again = await loadManifests([join(root, '.hidden.yaml'), root, join(root, 'a.yaml')]);
  assert.deepEqual(again.set.configMaps.map((c) => c.metadata.name).sort(), [
    'a',
    'b',
    'c',
    'hidden',
  ]);
});
