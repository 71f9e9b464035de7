/**
 * Remembers which YAML document each loaded object came from, so rules checked after loading
 * (`validateSet`) can still point at the line and column of the field they are about.
 */
import { ManifestError } from '../errors.js';
import type { ManifestIssue } from '../errors.js';
import { objectName } from './types.js';
import type { TideObject } from './types.js';
import { parsePath } from './yaml-source.js';
import type { SourceDocument } from './yaml-source.js';

/** Only the lookup is kept, not the document's value: an object must not hold its raw copy. */
const documents = new WeakMap<object, SourceDocument['locate']>();

export function rememberDocument(o: TideObject, doc: SourceDocument): void {
  documents.set(o, doc.locate);
}

/** An issue on `o` at `path`, with the line and column of that node when the YAML is known. */
export function issueAt(
  o: TideObject,
  path: string,
  message: string,
  severity: 'error' | 'warning' = 'error',
): ManifestIssue {
  const issue: ManifestIssue = { path, message, severity };
  const at = documents.get(o)?.(parsePath(path));
  if (at) {
    issue.line = at.line;
    issue.col = at.col;
  } else if (o.source.line !== undefined) {
    issue.line = o.source.line;
  }
  return issue;
}

/** Fills in line/column for issues that only have a path. */
export function withPosition(o: TideObject, i: ManifestIssue): ManifestIssue {
  if (i.line !== undefined) return i;
  return { ...issueAt(o, i.path, i.message, i.severity) };
}

/** Groups issues per object into ManifestErrors: `{ errors, warnings }`. */
export class IssueCollector {
  readonly #byObject = new Map<TideObject, ManifestIssue[]>();

  add(o: TideObject, path: string, message: string, severity: 'error' | 'warning' = 'error'): void {
    this.push(o, issueAt(o, path, message, severity));
  }

  push(o: TideObject, issue: ManifestIssue): void {
    const list = this.#byObject.get(o) ?? [];
    // The same problem reached twice (e.g. through two triggers) is reported once.
    if (!list.some((x) => x.path === issue.path && x.message === issue.message))
      list.push(withPosition(o, issue));
    this.#byObject.set(o, list);
  }

  result(): { errors: ManifestError[]; warnings: ManifestError[] } {
    const errors: ManifestError[] = [];
    const warnings: ManifestError[] = [];
    for (const [o, issues] of this.#byObject) {
      const ref = { file: o.source.file, object: objectName(o) };
      const e = issues.filter((i) => i.severity === 'error');
      const w = issues.filter((i) => i.severity === 'warning');
      if (e.length) errors.push(new ManifestError(ref, e));
      if (w.length) warnings.push(new ManifestError(ref, w));
    }
    return { errors, warnings };
  }
}
