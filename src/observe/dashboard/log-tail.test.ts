import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tailFile, tailLogFolder } from './log-tail.js';

const dir = mkdtempSync(join(tmpdir(), 'tide-log-tail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a short file comes back whole, not marked truncated', async () => {
  const p = join(dir, 'short.log');
  writeFileSync(p, 'a\nb\nc\n');
  assert.deepEqual(await tailFile(p, { lines: 10, maxBytes: 1024 }), {
    lines: ['a', 'b', 'c'],
    truncated: false,
  });
});

test('a big file is read from its end only, without the cut first line', async () => {
  const p = join(dir, 'big.log');
  writeFileSync(p, Array.from({ length: 10_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const t = await tailFile(p, { lines: 3, maxBytes: 100 });
  assert.deepEqual(t, { lines: ['line 9997', 'line 9998', 'line 9999'], truncated: true });
  const wide = await tailFile(p, { lines: 1000, maxBytes: 100 });
  assert.ok(wide.lines.length < 20, 'bounded by bytes, not only by lines');
  assert.ok(
    wide.lines.every((l) => /^line \d+$/.test(l)),
    wide.lines.join('|'),
  );
});

test('a folder gives its newest files first, bounded; a missing folder gives none', async () => {
  const f = join(dir, 'pool');
  rmSync(f, { recursive: true, force: true });
  mkdirSync(f);
  for (const [i, n] of ['old', 'mid', 'new'].entries()) {
    writeFileSync(join(f, `${n}.log`), `${n}\n`);
    utimesSync(join(f, `${n}.log`), 1000 + i, 1000 + i);
  }
  writeFileSync(join(f, 'notes.txt'), 'ignored');
  const logs = await tailLogFolder(f, { files: 2 });
  assert.deepEqual(
    logs.map((l) => [l.replica, l.lines]),
    [
      ['new', ['new']],
      ['mid', ['mid']],
    ],
  );
  assert.deepEqual(await tailLogFolder(join(dir, 'nope')), []);
});
