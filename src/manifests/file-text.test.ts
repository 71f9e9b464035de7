import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../errors.js';
import { checkManifestText, decodeManifest, MAX_MANIFEST_BYTES } from './file-text.js';
import { loadManifestsFromString } from './load.js';

test('a binary file is answered in one short line naming the NUL byte, not echoed back', () => {
  const bytes = Buffer.alloc(96 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
  const r = decodeManifest(bytes);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.problem : '', /^is not a text file \(a NUL byte at offset \d+\)/);
  assert.ok(!r.ok && r.problem.length < 120, 'one short line');
});

test('bytes that are not UTF-8 are refused in one line', () => {
  const r = decodeManifest(Buffer.from([0x6b, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
  assert.deepEqual(r, {
    ok: false,
    problem: 'is not UTF-8 text: manifests are YAML text in UTF-8',
  });
});

test('a file over the limit is refused before it is parsed, saying how large it is', () => {
  const r = decodeManifest(Buffer.alloc(3 * 1024 * 1024, 0x61), 2 * 1024 * 1024);
  assert.deepEqual(r, {
    ok: false,
    problem:
      'is 3.0 MB, more than the 2.0 MB tide reads from one file: split it into several files',
  });
  assert.equal(MAX_MANIFEST_BYTES, 64 * 1024 * 1024);
});

test('UTF-8 text passes, with a byte order mark dropped', () => {
  const r = decodeManifest(Buffer.from('\ufeffkind: ConfigMap # é\n', 'utf8'));
  assert.deepEqual(r, { ok: true, text: 'kind: ConfigMap # é\n' });
  assert.deepEqual(checkManifestText('a: 1\n'), { ok: true, text: 'a: 1\n' });
});

test('text holding binary is one error for the file, with no object applied', () => {
  const garbage = `apiVersion: v1\n${'\u0000\u0001\u00ff: "x'.repeat(5000)}`;
  const r = loadManifestsFromString(garbage, 'blob.yaml');
  assert.deepEqual(r.files, ['blob.yaml']);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0];
  const issue = e?.issues[0];
  assert.ok(e && issue && e.issues.length === 1);
  const line = formatIssue(e.ref, issue);
  assert.match(line, /^blob\.yaml: is not a text file/);
  assert.ok(line.length < 150, line);
});

test('YAML syntax errors never quote the source back and stop after ten per document', () => {
  const secretish = 'hunter2-not-to-be-echoed';
  const text = `a: 1\n${Array.from({ length: 40 }, (_, i) => `] ${secretish}-${i} : [x`).join('\n')}\n`;
  const r = loadManifestsFromString(text, 'bad.yaml');
  const messages = r.errors.flatMap((e) => e.issues.map((i) => i.message));
  assert.ok(messages.length > 0 && messages.length <= 11, `${messages.length} messages`);
  for (const m of messages) {
    assert.ok(!m.includes(secretish), m);
    assert.ok(m.length <= 140, m);
  }
});
