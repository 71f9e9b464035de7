import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { putTideOnPath, tideEntry } from './tide-on-path.js';

test('putTideOnPath writes an executable tide script first on PATH, once', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tide-on-path-'));
  const path = process.env.PATH;
  t.after(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });
  const file = putTideOnPath(dir);
  assert.equal(file, join(dir, 'tide'));
  assert.ok((statSync(file).mode & 0o111) !== 0, 'executable');
  const script = readFileSync(file, 'utf8');
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.ok(script.includes(`'${process.execPath}'`), script);
  assert.ok(script.includes(`'${tideEntry()}'`), script);
  assert.equal(process.env.PATH?.split(delimiter)[0], dir);
  // A second call (a restart of tide up) does not put the folder on PATH twice.
  putTideOnPath(dir);
  assert.equal(process.env.PATH?.split(delimiter).filter((p) => p === dir).length, 1);
});
