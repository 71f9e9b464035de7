import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineCounter, parseAllDocuments } from 'yaml';
import { parseYamlDocuments, splitDocuments } from './yaml-source.js';

/** What the `yaml` package alone says: each document's value and the line its content starts on. */
function reference(text: string): { line: number; value: unknown }[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  return (Array.isArray(docs) ? docs : [])
    .map((d) => ({
      line: lc.linePos(d.contents?.range[0] ?? d.range[0]).line,
      value: d.toJS() as unknown,
    }))
    .filter((d) => d.value !== null && d.value !== undefined);
}

const streams = [
  { name: 'one document', text: 'a: 1\nb: [x, y]\n' },
  { name: 'documents split by ---', text: 'a: 1\n---\nb: 2\n---\nc: 3\n' },
  {
    name: 'a leading --- and comments',
    text: '# head\n---\n# about b\n\nb: 2\n---   # c\nc: {d: 1}\n',
  },
  { name: 'content on the --- line', text: '--- {a: 1}\n--- [1, 2]\n---\nz: 1\n' },
  { name: 'empty documents', text: '---\n---\na: 1\n---\n' },
  { name: 'a document end marker', text: 'a: 1\n...\n---\nb: 2\n' },
  { name: 'two documents after an end marker', text: 'a: 1\n...\nb: 2\n' },
  { name: 'a block scalar', text: 'a: |\n  --- not a marker\n  text\n---\nb: 2\n' },
  { name: 'CRLF line ends', text: 'a: 1\r\n---\r\nb: 2\r\n' },
  { name: 'a directive', text: '%YAML 1.2\n---\na: 1\n---\nb: 2\n' },
  { name: 'an alias', text: 'a: &x {k: 1}\nb: *x\n---\nc: 3\n' },
  { name: '--- inside a word is not a marker', text: 'a: 1\n---x: 2\n' },
];
for (const s of streams) {
  test(`${s.name}: the same values and lines as the yaml package alone`, () => {
    const got = parseYamlDocuments(s.text)
      .filter((d) => d.issues.length === 0 && d.value !== null && d.value !== undefined)
      .map((d) => ({ line: d.line, value: d.value }));
    assert.deepEqual(got, reference(s.text));
  });
}

test('splits at --- lines only, counting lines across pieces', () => {
  assert.deepEqual(splitDocuments('a: 1\n---\nb: 2\n\n--- x\n'), [
    { text: 'a: 1\n', line: 1 },
    { text: '---\nb: 2\n\n', line: 2 },
    { text: '--- x\n', line: 5 },
  ]);
});

test('a duplicate key in a large map is found at its line without comparing every pair', () => {
  const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`);
  keys.push('  k7: again');
  const text = `---\nkind: ConfigMap\ndata:\n${keys.join('\n')}\n`;
  const [doc] = parseYamlDocuments(text);
  assert.equal(doc?.issues.length, 1);
  assert.equal(doc?.issues[0]?.line, 50_004);
  assert.match(doc?.issues[0]?.message ?? '', /^invalid YAML: Map keys must be unique/);
});

test('positions in a later document count the lines before it', () => {
  const text = 'a: 1\n---\n# c\nkind: X\nspec:\n  n: 5\n';
  const docs = parseYamlDocuments(text);
  assert.deepEqual(docs[1]?.locate(['spec', 'n']), { line: 6, col: 6 });
  assert.equal(docs[1]?.line, 4);
});
