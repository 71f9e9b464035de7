/**
 * KEDA's own test tables run against tide (see harness.ts). Every case is answered as KEDA
 * does, or is a documented difference whose id is explained in docs/keda-differences.md.
 * `npm run conformance` prints the counts per table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { expectedOf, mismatch } from './harness.js';
import { tables } from './tables.js';

for (const t of tables) {
  describe(`${t.name} (${t.goFile})`, () => {
    for (const c of t.cases) {
      const label = c.differs ? `${c.go} [differs: ${c.differs.id}]` : c.go;
      test(label, async () => {
        const problem = mismatch(await t.run(c.input), expectedOf(c));
        assert.equal(problem, undefined, problem);
      });
    }
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
