/**
 * Where this tide's own files are. From the TypeScript sources of a clone (through tsx) every
 * module sits at its place under src/; in the npm package the compiled code is bundled into
 * dist/ entry files and shared chunks (dist/chunks/), so a path relative to a module's own URL
 * does not hold. Files are found from the package root instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when tide runs from its TypeScript sources (a clone), false from the compiled dist/. */
export const fromSources = import.meta.url.endsWith('.ts');

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The folder holding tide's package.json. */
export const packageRoot = findRoot();

/** A file of the code tree, `observe/dashboard/static` say: under src/ or dist/. */
export function codePath(path: string): string {
  return join(packageRoot, fromSources ? 'src' : 'dist', path);
}
