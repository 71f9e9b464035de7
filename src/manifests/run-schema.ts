/** Runs a zod schema on a document part and turns its issues into path-segment issues. */
import type { z } from 'zod';
import { show } from './schemas/fields.js';
import type { PathSegment } from './yaml-source.js';

/** An issue whose path is still a list of segments (positions are looked up from it). */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  severity: 'error' | 'warning';
}

/** Parses `value` with `schema`; on failure appends every issue (paths under `prefix`). */
export function runSchema<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: PathSegment[],
  issues: RawIssue[],
): z.output<T> | undefined {
  const r = schema.safeParse(value, {
    reportInput: true,
    // Fallback for issues without a message of their own (fields.ts gives most of them one).
    error: (iss) =>
      iss.input === undefined ? 'is required' : `is not valid, got ${show(iss.input)}`,
  });
  if (r.success) return r.data;
  for (const i of r.error.issues) {
    issues.push({
      path: [...prefix, ...(i.path as PathSegment[])],
      message: i.message,
      severity: 'error',
    });
  }
  return undefined;
}
