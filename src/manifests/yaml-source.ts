/**
 * Multi-document YAML parsing that keeps positions, so every issue can point at the line and
 * column of the node it is about (`spec.triggers[0].metadata.listLength` → `so.yaml:17:21`).
 *
 * Linear in the size of the input, and light. A file is cut into documents at their `---`
 * lines (YAML forbids such a line inside a document, so the cut is exact); each plain document
 * is read by the fast path (yaml-fast.ts) and only its value is kept. A document the fast path
 * declines is read by the `yaml` package, whose messages and positions tide reports. A
 * document's syntax tree is rebuilt from its text when an issue needs a position, which is
 * rare, instead of being held for every object loaded (~40 bytes of tree per byte of YAML).
 */
import {
  Composer,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Parser,
  visit,
} from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ManifestIssue } from '../errors.js';
import { loadPlain } from './yaml-fast.js';

export type PathSegment = string | number;

/** One YAML document of a file: its plain value, or the syntax issues that stopped it. */
export interface SourceDocument {
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** YAML syntax errors (severity error) and warnings; non-empty errors mean `value` is unusable. */
  issues: ManifestIssue[];
  /** Line/column of the node at `path`, or of its nearest ancestor present in the YAML. */
  locate: (path: readonly PathSegment[]) => { line: number; col: number } | undefined;
}

/** YAML syntax issues reported per document; the rest are counted in one more line. */
const MAX_YAML_ISSUES = 10;
/** Longest YAML message kept: the parser may quote the offending source, which could be a secret. */
const MAX_MESSAGE = 120;

type Position = { line: number; col: number };

/** Parses every document of `text`; never throws on bad YAML. */
export function parseYamlDocuments(text: string): SourceDocument[] {
  // Directives (`%YAML`, `%TAG`) reach across documents: such (rare) files are read whole.
  if (/^%/m.test(text)) return parseFull(text, 1);
  const out: SourceDocument[] = [];
  for (const chunk of splitDocuments(text)) {
    const fast = loadPlain(chunk.text);
    if (!fast) {
      out.push(...parseFull(chunk.text, chunk.line));
      continue;
    }
    out.push({
      line: chunk.line + contentLineOffset(chunk.text),
      value: fast.value,
      issues: [],
      locate: locator(chunk.text, 0, chunk.text.length, chunk.line),
    });
  }
  return out;
}

/** A file's text cut before each `---` line, with the 1-based line each piece starts on. */
export function splitDocuments(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let from = 0;
  let line = 1;
  const cut = (to: number) => {
    const piece = text.slice(from, to);
    out.push({ text: piece, line });
    for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) line++;
    from = to;
  };
  for (let m = marker.exec(text); m; m = marker.exec(text)) if (m.index > 0) cut(m.index);
  cut(text.length);
  return out;
}

/** Lines from the start of a piece to its first content: past `---`, blank and comment lines. */
function contentLineOffset(piece: string): number {
  let offset = 0;
  for (let at = 0; at < piece.length; offset++) {
    const end = piece.indexOf('\n', at);
    const line = piece.slice(at, end < 0 ? piece.length : end).replace(/^---(?=\s|$)/, '');
    if (!/^\s*(?:#.*)?$/.test(line)) return offset;
    if (end < 0) break;
    at = end + 1;
  }
  return 0;
}

/** Every document of `text` (which starts on line `firstLine`) read by the `yaml` package. */
function parseFull(text: string, firstLine: number): SourceDocument[] {
  const lineCounter = new LineCounter();
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + firstLine - 1, col: p.col };
  };
  // Duplicate keys are checked below with a set per map: the parser's own check compares each
  // key with every earlier one, which made a 20 MB ConfigMap take minutes.
  const composer = new Composer({ uniqueKeys: false });
  const parser = new Parser(lineCounter.addNewLine);
  const out: SourceDocument[] = [];
  for (const doc of composer.compose(parser.parse(text))) {
    const issues: ManifestIssue[] = [];
    const add = (message: string, offset: number, severity: 'error' | 'warning') => {
      if (issues.length < MAX_YAML_ISSUES)
        issues.push(yamlIssue(message, offset, text, lineCounter, firstLine, severity));
      else if (issues.length === MAX_YAML_ISSUES)
        issues.push({ ...issues[0]!, message: 'invalid YAML: more errors follow (not shown)' });
    };
    for (const e of doc.errors) add(e.message, e.pos[0], 'error');
    for (const offset of duplicateKeys(doc)) add('Map keys must be unique', offset, 'error');
    for (const w of doc.warnings) add(w.message, w.pos[0], 'warning');
    const start = doc.contents?.range[0] ?? doc.range[0];
    let value: unknown = undefined;
    if (!issues.some((i) => i.severity === 'error')) {
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        issues.push({
          path: '',
          message: `invalid YAML: ${clip((e as Error).message)}`,
          ...pos(start),
          severity: 'error',
        });
      }
    }
    out.push({
      line: pos(start).line,
      value,
      issues,
      locate: locator(text, doc.range[0], doc.range[2], pos(doc.range[0]).line),
    });
  }
  return out;
}

/** Offsets of keys that repeat an earlier key of the same map (YAML requires unique keys). */
function duplicateKeys(doc: Document.Parsed): number[] {
  const found: number[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || key.value === '<<') continue; // merge keys may repeat
        if (seen.has(key.value)) found.push(key.range?.[0] ?? 0);
        else seen.add(key.value);
      }
    },
  });
  return found;
}

/**
 * Finds nodes by re-parsing the document's own text on demand. The text before the document
 * on its first line is blanked, so columns stay right; the last parse is reused while one
 * object's issues are positioned.
 */
function locator(text: string, from: number, to: number, firstLine: number) {
  const lineStart = from > 0 ? text.lastIndexOf('\n', from - 1) + 1 : 0;
  const ref = { text, from, to };
  return (path: readonly PathSegment[]): Position | undefined => {
    let cached = lastParsed?.ref === ref ? lastParsed : undefined;
    if (!cached) {
      const lc = new LineCounter();
      const source = ' '.repeat(from - lineStart) + text.slice(from, to);
      const doc = parseDocument(source, { lineCounter: lc, uniqueKeys: false });
      cached = { ref, doc, lc };
      lastParsed = cached;
      // Forget it once the current synchronous validation is done.
      queueMicrotask(() => {
        if (lastParsed === cached) lastParsed = undefined;
      });
    }
    const { doc, lc } = cached;
    const at = locateNode(doc, path, (offset) => {
      const p = lc.linePos(offset);
      return { line: p.line + firstLine - 1, col: p.col };
    });
    return at;
  };
}

let lastParsed: { ref: object; doc: Document.Parsed; lc: LineCounter } | undefined;

function clip(message: string): string {
  // `Unexpected scalar token in YAML stream: "<the source>"`: the quoted source is dropped.
  const m = message.replace(/: "(?:[^"\\]|\\.)*"$/s, '');
  return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 1)}…` : m;
}

function yamlIssue(
  message: string,
  offset: number,
  text: string,
  lines: LineCounter,
  firstLine: number,
  severity: 'error' | 'warning',
): ManifestIssue {
  const at = lines.linePos(offset);
  let msg = `invalid YAML: ${clip(message)}`;
  // Copied examples often carry `//` comments (e.g. translated docs); YAML comments use `#`.
  const from = lines.lineStarts[Math.max(0, at.line - 2)] ?? 0;
  const to = lines.lineStarts[at.line] ?? text.length;
  const near = text.slice(from, Math.min(to, from + 4096));
  if (/(^|\s)\/\//.test(near)) msg += ' (YAML comments start with "#", not "//")';
  if (/^\s*\t/m.test(near))
    msg += ' (indent with spaces; YAML does not allow tabs for indentation)';
  return { path: '', message: msg, line: at.line + firstLine - 1, col: at.col, severity };
}

function locateNode(
  doc: Document.Parsed,
  path: readonly PathSegment[],
  pos: (offset: number) => Position,
): Position | undefined {
  let node: unknown = doc.contents;
  let best: Position | undefined = rangeStart(node, pos);
  for (const seg of path) {
    let next: unknown = undefined;
    let keyPos: Position | undefined;
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
