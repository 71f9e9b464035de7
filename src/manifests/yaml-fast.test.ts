import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadPlain } from './yaml-fast.js';

// The fast path must read every plain scalar exactly as the `yaml` package does, or a value
// would change meaning depending on which parser a document went through.
const scalars = [
  ...['~', 'null', 'Null', 'NULL', '', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['yes', 'no', 'on', 'off', 'y', 'n'],
  ...['0', '-0', '+5', '-5', '007', '09', '0o17', '0o8', '0x1F', '0x1f', '-0x1F', '+0x1F', '0b11'],
  ...['1_000', '1,000', '12e', '1e3', '1E3', '+1e3', '1.5e-2', '.5', '5.', '-.5', '1_000.5'],
  ...['.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'inf', 'nan'],
  ...['1:20', '2024-01-01', '2024-01-01T10:00:00Z', '"5"', "'5'", '!!str 5', '!!int "5"'],
  ...['9007199254740993', '0.1', '1e400', 'text', '"quoted: colon"'],
];
for (const s of scalars) {
  test(`reads ${JSON.stringify(s)} as the yaml package does`, () => {
    const src = `k: ${s}\n`;
    const fast = loadPlain(src);
    assert.ok(fast, 'the fast path reads a plain scalar');
    assert.deepEqual(fast.value, parse(src));
  });
}

const declined = [
  { name: 'a syntax error', text: 'a: [1, 2\n' },
  { name: 'a duplicate key', text: 'a: 1\na: 2\n' },
  { name: 'an alias to a collection (a "billion laughs" needs them)', text: 'a: &x [1]\nb: *x\n' },
  { name: 'a cycle', text: '&a [*a]\n' },
  { name: 'a tag it does not know', text: 'a: !Ref x\n' },
  { name: 'a merge key (YAML 1.1 only)', text: 'a: &x {k: 1}\nb: {<<: *x}\n' },
  { name: 'a timestamp tag', text: 'a: !!timestamp 2024-01-01\n' },
];
for (const c of declined) {
  test(`leaves ${c.name} to the full parser`, () => assert.equal(loadPlain(c.text), undefined));
}

test('reads an empty document as null and an alias to a scalar as its value', () => {
  assert.deepEqual(loadPlain(''), { value: null });
  assert.deepEqual(loadPlain('---\n# nothing\n'), { value: null });
  assert.deepEqual(loadPlain('a: &x 5\nb: *x\n'), { value: { a: 5, b: 5 } });
});
