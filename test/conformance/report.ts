/**
 * Prints the conformance counts per table: cases, answered as KEDA, documented differences,
 * and any failing case (there should be none). `npm run conformance`.
 */
import { countTable } from './harness.js';
import { closeStub } from './http-stub.js';
import { tables } from './tables.js';

const rows: string[][] = [['table', 'cases', 'as KEDA', 'differences', 'failing']];
const total = { cases: 0, asKeda: 0, differences: 0, failing: 0 };
const failures: string[] = [];
for (const t of tables) {
  const c = await countTable(t);
  rows.push([
    c.name,
    String(c.cases),
    String(c.asKeda),
    String(c.differences),
    String(c.failing.length),
  ]);
  total.cases += c.cases;
  total.asKeda += c.asKeda;
  total.differences += c.differences;
  total.failing += c.failing.length;
  failures.push(...c.failing.map((f) => `${c.name}: ${f}`));
}
rows.push(['total', ...[total.cases, total.asKeda, total.differences, total.failing].map(String)]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const r of rows)
  console.log(
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
  );
if (failures.length > 0) {
  console.log(`\nfailing:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
await closeStub();
