/**
 * KEDA's own test tables run against tide (see harness.ts): one test per table, failing with
 * every case that is neither answered as KEDA does nor a documented difference.
 * `npm run conformance` prints the counts per table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { countTable } from './harness.js';
import { closeStub } from './http-stub.js';
import { tables } from './tables.js';

after(closeStub);

for (const t of tables) {
  test(`${t.name} (${t.goFile}): every case as KEDA or a documented difference`, async () => {
    const c = await countTable(t);
    assert.deepEqual(c.failing, []);
    assert.equal(c.asKeda + c.differences, c.cases);
  });
}

test('every difference a case names is explained in docs/keda-differences.md', () => {
  const doc = readFileSync(new URL('../../docs/keda-differences.md', import.meta.url), 'utf8');
  const anchors = new Set([...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]));
  const missing = new Set<string>();
  for (const t of tables)
    for (const c of t.cases) if (c.differs && !anchors.has(c.differs.id)) missing.add(c.differs.id);
  assert.deepEqual([...missing], []);
});

test('case names are unique within a table, so each names one Go case', () => {
  for (const t of tables) {
    const seen = new Set<string>();
    const dupes = t.cases
      .map((c) => c.go)
      .filter((g) => (seen.has(g) ? true : (seen.add(g), false)));
    assert.deepEqual(dupes, [], t.name);
  }
});
