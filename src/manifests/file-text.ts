/**
 * Turns a manifest file's bytes into text, or into one short line saying why it is not a
 * manifest: a binary file or one too large is named, never echoed back through the YAML
 * parser's messages (which quote the source).
 */

import type { Result } from '../result.js';

/** Larger files are refused: tide holds a file's text while it runs its objects. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export type FileText = Result<{ text: string }, { problem: string }>;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Too large, or binary (a NUL byte, which YAML text never contains). */
export function textProblem(length: number, firstNul: number, limit: number): string | undefined {
  if (length > limit)
    return `is ${mb(length)}, more than the ${mb(limit)} tide reads from one file: split it into several files`;
  if (firstNul >= 0)
    return `is not a text file (a NUL byte at offset ${firstNul}): manifests are YAML text in UTF-8`;
  return undefined;
}

/** Decodes UTF-8 strictly (a leading BOM is dropped). */
export function decodeManifest(bytes: Uint8Array, limit = MAX_MANIFEST_BYTES): FileText {
  const problem = textProblem(bytes.length, bytes.indexOf(0), limit);
  if (problem) return { ok: false, problem };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, problem: 'is not UTF-8 text: manifests are YAML text in UTF-8' };
  }
}

/** The same checks for text that was already decoded (the API's loadManifestsFromString). */
export function checkManifestText(text: string, limit = MAX_MANIFEST_BYTES): FileText {
  const problem = textProblem(text.length, text.indexOf('\u0000'), limit);
  return problem ? { ok: false, problem } : { ok: true, text };
}
