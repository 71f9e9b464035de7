/**
 * scripts/run-tests.mjs's second reporter: a test file that fails before its tests run shows
 * its cause in the final summary, not only the spec reporter's 'test failed' at line 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../support/tide-process.js';

test('a file that fails to load is named in the summary with its error', () => {
  const fixture = 'test/fixtures/test-runner/fails-to-load.ts';
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-reporter=${join(repoRoot, 'scripts/load-failure-reporter.mjs')}`,
      fixture,
    ],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_TEST_CONTEXT: undefined } },
  );
  assert.notEqual(r.status, 0, 'the run fails');
  const summary = r.stdout.slice(r.stdout.indexOf('✖ 1 test file'));
  assert.match(summary, /1 test file\(s\) failed as a whole/);
  assert.match(summary, /fails-to-load\.ts\n/);
  assert.match(summary, /Error: Python Celery peer not found at \/nowhere\/celery_peer\.py/);
});
