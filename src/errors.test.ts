import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Codes are a contract with tools and users: each one documented, each one raised somewhere.
const root = new URL('..', import.meta.url).pathname;

function codesDeclared(): string[] {
  const text = readFileSync(join(root, 'src/errors.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]+);/.exec(text);
  assert.ok(union, 'src/errors.ts declares `export type ErrorCode = ...;`');
  return [...union[1]!.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('ErrorCode lists codes', () => {
  assert.ok(codesDeclared().length >= 5);
});

test('every error code has a section in docs/errors.md', () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)$/gm)].map((m) => m[1]));
  const missing = codesDeclared().filter((c) => !sections.has(c));
  assert.deepEqual(missing, [], 'codes without a section in docs/errors.md');
  const stale = [...sections].filter((c) => !codesDeclared().includes(c!));
  assert.deepEqual(stale, [], 'sections in docs/errors.md for codes ErrorCode no longer has');
});

test('every error code is carried by a class under src/', () => {
  const carried = new Set<string>();
  for (const f of sourceFiles(join(root, 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/readonly code = '([A-Z_]+)' as const/g))
      carried.add(m[1]!);
  }
  const unused = codesDeclared().filter((c) => !carried.has(c));
  assert.deepEqual(unused, [], 'codes no error class carries');
});
