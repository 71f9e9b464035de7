#!/usr/bin/env node
// Fails when modules under src/ import each other in a cycle (value imports; `import type` and
// `export type` vanish at run time and are left out). Run by `npm run lint`.
//   node scripts/check-import-cycles.mjs        check src/
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// `import x from './a.js'`, `import { a } from`, `export { a } from`, `export * from`, `import './a.js'`;
// not `import type` / `export type`, nor dynamic `import()` (loaded later, on purpose).
const IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Relative value imports of one file, resolved to .ts paths under src/. */
export function importsOf(file, text) {
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    // `import { type A, type B } from` imports nothing at run time.
    const names = /\{([^}]*)\}/.exec(m[0]);
    if (names && names[1].split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    out.push(resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan), each a cycle to report. */
export function cycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const graph = new Map(walk(src).map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
const found = cycles(graph);
if (found.length > 0) {
  console.error(`import cycles under src/ (${found.length}); break each by moving the shared part down a layer (docs/architecture.md):`);
  for (const c of found) console.error(`  ${c.map((f) => relative(root, f)).join(' <-> ')}`);
  process.exit(1);
}
console.log(`no import cycles among ${graph.size} modules under src/`);
