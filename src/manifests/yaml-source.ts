/**
 * Multi-document YAML parsing that keeps positions, so every issue can point at the line and
 * column of the node it is about (`spec.triggers[0].metadata.listLength` → `so.yaml:17:21`).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ManifestIssue } from '../errors.js';

export type PathSegment = string | number;

/** One YAML document of a file: its plain value, or the syntax issues that stopped it. */
export interface SourceDocument {
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** YAML syntax errors (severity error) and warnings; non-empty errors mean `value` is unusable. */
  issues: ManifestIssue[];
  /** Line/column of the node at `path`, or of its nearest ancestor present in the YAML. */
  locate(path: readonly PathSegment[]): { line: number; col: number } | undefined;
}

/** Parses every document of `text`; never throws on bad YAML. */
export function parseYamlDocuments(text: string): SourceDocument[] {
  const lineCounter = new LineCounter();
  // prettyErrors: false keeps the source excerpt out of messages: it could hold a secret.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const lines = text.split('\n');
  const out: SourceDocument[] = [];
  for (const doc of list) {
    const issues: ManifestIssue[] = [];
    for (const e of doc.errors) issues.push(yamlIssue(e.message, pos(e.pos[0]), lines, 'error'));
    for (const w of doc.warnings)
      issues.push(yamlIssue(w.message, pos(w.pos[0]), lines, 'warning'));
    const start = doc.contents?.range[0] ?? doc.range[0];
    let value: unknown = undefined;
    if (!issues.some((i) => i.severity === 'error')) {
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        issues.push({
          path: '',
          message: `invalid YAML: ${(e as Error).message}`,
          ...pos(start),
          severity: 'error',
        });
      }
    }
    out.push({
      line: pos(start).line,
      value,
      issues,
      locate: (path) => locateNode(doc, path, pos),
    });
  }
  return out;
}

function yamlIssue(
  message: string,
  at: { line: number; col: number },
  lines: string[],
  severity: 'error' | 'warning',
): ManifestIssue {
  let msg = `invalid YAML: ${message}`;
  // Copied examples often carry `//` comments (e.g. translated docs); YAML comments use `#`.
  const near = lines.slice(Math.max(0, at.line - 2), at.line).join('\n');
  if (/(^|\s)\/\//.test(near)) msg += ' (YAML comments start with "#", not "//")';
  if (/^\s*\t/m.test(near))
    msg += ' (indent with spaces; YAML does not allow tabs for indentation)';
  return { path: '', message: msg, line: at.line, col: at.col, severity };
}

function locateNode(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  pos: (offset: number) => { line: number; col: number },
): { line: number; col: number } | undefined {
  let node: unknown = doc.contents;
  let best: { line: number; col: number } | undefined = rangeStart(node, pos);
  for (const seg of path) {
    let next: unknown = undefined;
    let keyPos: { line: number; col: number } | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (pair) {
        next = pair.value;
        keyPos = rangeStart(pair.key, pos);
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined && keyPos === undefined) return best;
    // A scalar is pointed at itself; a map or list at its key (`spec:`), which reads better
    // for "is required" issues about a missing child.
    const isCollection = isMap(next) || isSeq(next);
    best = (isCollection ? keyPos : undefined) ?? rangeStart(next, pos) ?? keyPos ?? best;
    node = next;
    if (next === null || next === undefined) return best;
  }
  return best;
}

function rangeStart(
  node: unknown,
  pos: (offset: number) => { line: number; col: number },
): { line: number; col: number } | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? pos(range[0]) : undefined;
}

/** `['spec', 'triggers', 0, 'metadata']` → `spec.triggers[0].metadata`; keys with `.` or `/` are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/[.[\]/"\s]/.test(seg)) s += `[${JSON.stringify(seg)}]`;
    else s += s ? `.${seg}` : seg;
  }
  return s;
}

/** Inverse of {@link formatPath}. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(JSON.parse(m[1]) as string);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}
