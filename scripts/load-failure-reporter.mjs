// A node:test reporter that adds one section at the end of the run: each test file that failed
// as a whole (it did not load, threw at the top level, or its process exited badly) with the
// cause from the file's own stderr. The spec reporter shows only 'test failed' at line 1 there.
// Used by scripts/run-tests.mjs beside the spec reporter.
import { relative } from 'node:path';

const KEEP = 80; // stderr lines kept per file (the last ones)
const errorLine = /^(\w*Error|Error)\b|^\w+ \[ERR_|^AssertionError/;

/** The lines that say why: from the first error line, without Node's internal frames. */
function cause(lines) {
  const start = lines.findIndex((l) => errorLine.test(l));
  const from = start >= 0 ? lines.slice(start) : lines.slice(-12);
  return from
    .filter((l) => !/^\s+at (async )?\S* ?\(?node:internal\//.test(l) && !/^Node\.js v/.test(l))
    .filter((l, i, all) => l.trim() !== '' || (i > 0 && all[i - 1].trim() !== ''))
    .slice(0, 14)
    .join('\n')
    .trimEnd()
    .split('\n');
}

export default async function* loadFailures(source) {
  const stderr = new Map();
  const failed = [];
  for await (const event of source) {
    const d = event.data;
    if (event.type === 'test:stderr' && d.file) {
      const lines = stderr.get(d.file) ?? [];
      lines.push(...String(d.message).replace(/\n$/, '').split('\n'));
      stderr.set(d.file, lines.slice(-KEEP));
    } else if (event.type === 'test:fail' && d.nesting === 0 && d.file && d.name === d.file) {
      failed.push(d.file);
    }
  }
  if (failed.length === 0) return;
  let out = `\n✖ ${failed.length} test file(s) failed as a whole (did not load, threw outside a test, or exited badly):\n`;
  for (const file of failed) {
    const why = cause(stderr.get(file) ?? []);
    out += `\n  ${relative(process.cwd(), file)}\n`;
    out += why.join('')
      ? why.map((l) => `    ${l}`).join('\n') + '\n'
      : '    (nothing on its stderr)\n';
  }
  yield out;
}
