/**
 * Tokenizer and precedence-climbing parser for the subset of expr-lang
 * (github.com/expr-lang/expr v1.17) that `scalingModifiers.formula` uses. Operator precedences
 * are expr-lang's (`parser/operator`): `??` binds tightest, then `**`/`^` (right-assoc), unary
 * `-`/`+`, `* / %`, `+ -`, the range `..`, comparisons and `in`, unary `not`/`!`, `and`/`&&`,
 * `or`/`||`, and the ternary `?:` last. Comparisons chain (`0 < x < 10` is `0 < x && x < 10`),
 * `not in` negates `in`. Arrays (`[a, b]`, `a[0]`, `a?.[0]`, slices `a[1:3]`), sequences
 * (`a; b`), `let x = a; b`, and the predicate builtins whose second argument is a closure over
 * `#` (`count([a, b], {# > 1})`, braces optional; `#index`, and `#acc` in `reduce`) are parsed
 * as expr-lang parses them.
 */
import { TideError } from '../errors.js';

export type Node =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  /** `#` (the element), `#index` or `#acc` inside a predicate. */
  | { kind: 'pointer'; name: '' | 'index' | 'acc'; pos: number }
  | { kind: 'array'; items: Node[]; pos: number }
  /** `a[i]`; `a?.[i]` is nil when `a` is nil. */
  | { kind: 'index'; target: Node; index: Node; optional: boolean; pos: number }
  | { kind: 'slice'; target: Node; from?: Node; to?: Node; pos: number }
  | { kind: 'seq'; items: Node[]; pos: number }
  | { kind: 'let'; name: string; value: Node; body: Node; pos: number }
  | { kind: 'unary'; op: string; arg: Node; pos: number }
  | { kind: 'binary'; op: string; left: Node; right: Node; pos: number }
  | { kind: 'cond'; test: Node; then: Node; else: Node; pos: number }
  | { kind: 'call'; name: string; args: Node[]; pos: number }
  | { kind: 'predicate'; body: Node; pos: number };

interface Token {
  type: 'num' | 'ident' | 'op' | 'eof';
  text: string;
  pos: number;
}

export class FormulaSyntaxError extends TideError {
  override readonly name = 'FormulaSyntaxError';
  readonly code = 'TIDE_FORMULA_FAILED' as const;
  constructor(
    message: string,
    readonly pos: number,
    /** Valid expr-lang that tide's formula does not support (strings, maps, dates, ...). */
    readonly unsupported = false,
  ) {
    super(`${message} at column ${pos + 1}`);
  }
}

/**
 * expr-lang v1.17 builtins tide's formula does not implement: over strings, maps, dates and
 * types, or not needed over trigger values. A formula using one is valid in KEDA.
 */
export const UNSUPPORTED_BUILTINS: ReadonlySet<string> = new Set([
  'groupBy',
  'sortBy',
  'type',
  'string',
  'trim',
  'trimPrefix',
  'trimSuffix',
  'upper',
  'lower',
  'split',
  'splitAfter',
  'replace',
  'repeat',
  'join',
  'indexOf',
  'lastIndexOf',
  'hasPrefix',
  'hasSuffix',
  'toJSON',
  'fromJSON',
  'toBase64',
  'fromBase64',
  'now',
  'duration',
  'date',
  'timezone',
  'take',
  'keys',
  'values',
  'toPairs',
  'fromPairs',
  'reverse',
  'uniq',
  'concat',
  'flatten',
  'sort',
  'bitand',
  'bitor',
  'bitxor',
  'bitnand',
  'bitnot',
  'bitshl',
  'bitshr',
  'bitushr',
]);
/** expr-lang word operators over strings. */
const STRING_OPS = new Set(['matches', 'contains', 'startsWith', 'endsWith']);

const OPS = [
  '??',
  '?.',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '..',
  '=',
  ';',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '?',
  ':',
  '#',
];

/**
 * Builtins whose second argument is a predicate (a closure over `#`), with whether that
 * argument may be left out (expr-lang `parser.predicates`).
 */
export const PREDICATE_BUILTINS: Readonly<Record<string, { optional: boolean }>> = {
  all: { optional: false },
  none: { optional: false },
  any: { optional: false },
  one: { optional: false },
  filter: { optional: false },
  map: { optional: false },
  count: { optional: true },
  sum: { optional: true },
  find: { optional: false },
  findIndex: { optional: false },
  findLast: { optional: false },
  findLastIndex: { optional: false },
  reduce: { optional: false },
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // A `.` starts a fraction only when a digit follows, so `1..3` is a range.
    const numMatch = /^(?:\d[\d_]*(?:\.(?!\.)[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(
      src.slice(i),
    );
    if (numMatch) {
      out.push({ type: 'num', text: numMatch[0], pos: i });
      i += numMatch[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(src.slice(i));
    if (id) {
      out.push({ type: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    // `?.` is optional chaining unless a digit follows (`a ?.5 : 1` is a ternary).
    const op = OPS.find(
      (o) => src.startsWith(o, i) && !(o === '?.' && /\d/.test(src[i + 2] ?? '')),
    );
    if (!op) {
      if (c === '"' || c === "'" || c === '`')
        throw new FormulaSyntaxError('strings are not supported by tide', i, true);
      if (c === '.' || c === '|')
        throw new FormulaSyntaxError(
          c === '.'
            ? 'member access is not supported by tide'
            : 'the pipe operator is not supported by tide',
          i,
          true,
        );
      throw new FormulaSyntaxError(`unexpected character '${c}'`, i);
    }
    out.push({ type: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ type: 'eof', text: '', pos: src.length });
  return out;
}

/** Binary precedence and right-associativity, from expr-lang. */
const BINARY: Record<string, { prec: number; right?: boolean }> = {
  or: { prec: 10 },
  '||': { prec: 10 },
  and: { prec: 15 },
  '&&': { prec: 15 },
  '==': { prec: 20 },
  '!=': { prec: 20 },
  '<': { prec: 20 },
  '>': { prec: 20 },
  '<=': { prec: 20 },
  '>=': { prec: 20 },
  in: { prec: 20 },
  '..': { prec: 25 },
  '+': { prec: 30 },
  '-': { prec: 30 },
  '*': { prec: 60 },
  '/': { prec: 60 },
  '%': { prec: 60 },
  '**': { prec: 100, right: true },
  '^': { prec: 100, right: true },
  '??': { prec: 500 },
};
const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const WORD_OPS = new Set(['and', 'or', 'in']);
/** Operators whose chains expr-lang reads as a conjunction (`a < b < c`). */
const COMPARISONS = new Set(['<', '>', '<=', '>=']);

/** Parses a formula into an AST; throws FormulaSyntaxError naming the column. */
export function parseFormula(src: string): Node {
  const toks = tokenize(src);
  let k = 0;
  /** Inside a predicate `#` is the current element (expr-lang tracks the same depth). */
  let depth = 0;
  const peek = (): Token => toks[k] ?? { type: 'eof', text: '', pos: src.length };
  const next = (): Token => {
    const t = peek();
    k++;
    return t;
  };
  const isOp = (t: Token, text: string) => t.type === 'op' && t.text === text;
  const describe = (t: Token): string => (t.type === 'eof' ? 'end of formula' : `'${t.text}'`);
  const expect = (text: string): Token => {
    const t = next();
    if (t.text !== text || t.type === 'num')
      throw new FormulaSyntaxError(`expected '${text}' but found ${describe(t)}`, t.pos);
    return t;
  };
  const opText = (t: Token): string | undefined =>
    t.type === 'op' || (t.type === 'ident' && WORD_OPS.has(t.text)) ? t.text : undefined;

  function expression(minPrec: number): Node {
    let left = unary();
    for (;;) {
      const t = peek();
      // `not in`: the negation of `in`, at `in`'s precedence.
      const negate =
        t.type === 'ident' &&
        t.text === 'not' &&
        toks[k + 1]?.type === 'ident' &&
        toks[k + 1]?.text === 'in';
      const opToken = negate ? (toks[k + 1] as Token) : t;
      if (opToken.type === 'ident' && STRING_OPS.has(opToken.text))
        throw new FormulaSyntaxError(
          `'${opToken.text}' is not supported by tide`,
          opToken.pos,
          true,
        );
      const op = opText(opToken);
      const info = op === undefined ? undefined : BINARY[op];
      if (op === undefined || !info || info.prec < minPrec) break;
      next();
      if (negate) next();
      if (COMPARISONS.has(op)) {
        left = comparison(left, op, opToken.pos, info.prec);
        continue;
      }
      const right = expression(info.right ? info.prec : info.prec + 1);
      left = { kind: 'binary', op, left, right, pos: opToken.pos };
      if (negate) left = { kind: 'unary', op: '!', arg: left, pos: t.pos };
    }
    return left;
  }

  /** `a < b < c` is `a < b && b < c`, as expr-lang's parseComparison builds it. */
  function comparison(first: Node, firstOp: string, firstPos: number, prec: number): Node {
    let [left, op, pos] = [first, firstOp, firstPos];
    let root: Node | undefined;
    for (;;) {
      const right = expression(prec + 1);
      const cmp: Node = { kind: 'binary', op, left, right, pos };
      root = root ? { kind: 'binary', op: '&&', left: root, right: cmp, pos } : cmp;
      left = right;
      const t = peek();
      if (t.type !== 'op' || !COMPARISONS.has(t.text)) return root;
      next();
      [op, pos] = [t.text, t.pos];
    }
  }

  function unary(): Node {
    const t = peek();
    const isUnaryOp =
      (t.type === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) ||
      (t.type === 'ident' && t.text === 'not');
    if (isUnaryOp) {
      next();
      const arg = expression(UNARY[t.text] ?? 90);
      return { kind: 'unary', op: t.text === 'not' ? '!' : t.text, arg, pos: t.pos };
    }
    return postfix(primary());
  }

  /** `a[i]`, `a?.[i]`, `a[i:j]` (either bound optional), any number of times. */
  function postfix(node: Node): Node {
    let n = node;
    for (;;) {
      if (isOp(peek(), '?.') && !isOp(toks[k + 1] ?? peek(), '['))
        throw new FormulaSyntaxError('member access is not supported by tide', peek().pos, true);
      const optional = isOp(peek(), '?.');
      if (!optional && !isOp(peek(), '[')) return n;
      if (optional) next();
      const t = next();
      const from = isOp(peek(), ':') ? undefined : ternary();
      if (isOp(peek(), ':')) {
        next();
        const to = isOp(peek(), ']') ? undefined : ternary();
        expect(']');
        n = {
          kind: 'slice',
          target: n,
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          pos: t.pos,
        };
        continue;
      }
      expect(']');
      if (!from) throw new FormulaSyntaxError('expected an index', t.pos);
      n = { kind: 'index', target: n, index: from, optional, pos: t.pos };
    }
  }

  /** A comma list up to `close`; a trailing comma is allowed, as in expr-lang. */
  function list(close: string, item: () => Node): Node[] {
    const items: Node[] = [];
    while (!isOp(peek(), close)) {
      items.push(item());
      if (!isOp(peek(), ',')) break;
      next();
    }
    expect(close);
    return items;
  }

  /** A predicate argument: `{ expr }`, or a bare expression. */
  function predicate(): Node {
    const t = peek();
    depth++;
    let body: Node;
    if (isOp(t, '{')) {
      next();
      body = ternary();
      expect('}');
    } else body = ternary();
    depth--;
    return { kind: 'predicate', body, pos: t.pos };
  }

  function call(name: string, pos: number): Node {
    if (UNSUPPORTED_BUILTINS.has(name))
      throw new FormulaSyntaxError(`${name}() is not supported by tide`, pos, true);
    expect('(');
    const spec = PREDICATE_BUILTINS[name];
    if (!spec) return { kind: 'call', name, args: list(')', ternary), pos };
    const args: Node[] = [ternary()];
    if (isOp(peek(), ',')) {
      next();
      if (!isOp(peek(), ')')) args.push(predicate());
    } else if (!spec.optional) {
      throw new FormulaSyntaxError(`${name}() takes an array and a predicate`, peek().pos);
    }
    if (isOp(peek(), ',')) next();
    // reduce(array, predicate, initial accumulator)
    if (name === 'reduce' && !isOp(peek(), ')')) {
      args.push(ternary());
      if (isOp(peek(), ',')) next();
    }
    expect(')');
    return { kind: 'call', name, args, pos };
  }

  function primary(): Node {
    const t = next();
    if (t.type === 'num') {
      const value = Number(t.text.replaceAll('_', ''));
      if (Number.isNaN(value)) throw new FormulaSyntaxError(`invalid number '${t.text}'`, t.pos);
      return { kind: 'num', value, pos: t.pos };
    }
    if (t.type === 'ident') {
      if (t.text === 'if' && !isOp(peek(), '('))
        throw new FormulaSyntaxError("'if { } else { }' is not supported by tide", t.pos, true);
      if (t.text === 'true' || t.text === 'false')
        return { kind: 'bool', value: t.text === 'true', pos: t.pos };
      if (t.text === 'nil') return { kind: 'nil', pos: t.pos };
      if (WORD_OPS.has(t.text)) throw new FormulaSyntaxError(`unexpected '${t.text}'`, t.pos);
      if (isOp(peek(), '(')) return call(t.text, t.pos);
      return { kind: 'ident', name: t.text, pos: t.pos };
    }
    if (isOp(t, '#') && depth > 0) {
      const n = peek();
      if (n.type === 'ident' && !WORD_OPS.has(n.text) && n.text !== 'not') {
        next();
        if (n.text !== 'index' && n.text !== 'acc')
          throw new FormulaSyntaxError(`unknown pointer #${n.text}`, t.pos);
        return { kind: 'pointer', name: n.text, pos: t.pos };
      }
      return { kind: 'pointer', name: '', pos: t.pos };
    }
    if (isOp(t, '(')) {
      const inner = sequence();
      expect(')');
      return inner;
    }
    if (isOp(t, '[')) return { kind: 'array', items: list(']', ternary), pos: t.pos };
    if (isOp(t, '{')) throw new FormulaSyntaxError('maps are not supported by tide', t.pos, true);
    throw new FormulaSyntaxError(`unexpected ${describe(t)}`, t.pos);
  }

  function ternary(): Node {
    const l = peek();
    if (l.type === 'ident' && l.text === 'let') {
      next();
      const id = next();
      if (id.type !== 'ident') throw new FormulaSyntaxError(`expected a name after let`, id.pos);
      expect('=');
      const value = ternary();
      expect(';');
      return { kind: 'let', name: id.text, value, body: sequence(), pos: l.pos };
    }
    const test = expression(0);
    const q = peek();
    if (q.type === 'op' && q.text === '?') {
      next();
      const a = ternary();
      expect(':');
      const b = ternary();
      return { kind: 'cond', test, then: a, else: b, pos: q.pos };
    }
    return test;
  }

  /** `a; b; c` is c, each evaluated in turn; a trailing `;` is allowed. */
  function sequence(): Node {
    const first = peek();
    const items = [ternary()];
    while (isOp(peek(), ';')) {
      next();
      if (peek().type === 'eof' || isOp(peek(), ')')) break;
      items.push(ternary());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'seq', items, pos: first.pos };
  }

  const ast = sequence();
  const rest = peek();
  if (rest.type !== 'eof') throw new FormulaSyntaxError(`unexpected ${describe(rest)}`, rest.pos);
  return ast;
}

/** Identifiers a formula reads (trigger names), excluding function names and `#`. */
export function identifiers(node: Node, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'ident':
      out.add(node.name);
      break;
    case 'unary':
      identifiers(node.arg, out);
      break;
    case 'binary':
      identifiers(node.left, out);
      identifiers(node.right, out);
      break;
    case 'cond':
      identifiers(node.test, out);
      identifiers(node.then, out);
      identifiers(node.else, out);
      break;
    case 'call':
      for (const a of node.args) identifiers(a, out);
      break;
    case 'array':
      for (const a of node.items) identifiers(a, out);
      break;
    case 'index':
      identifiers(node.target, out);
      identifiers(node.index, out);
      break;
    case 'slice':
      identifiers(node.target, out);
      if (node.from) identifiers(node.from, out);
      if (node.to) identifiers(node.to, out);
      break;
    case 'seq':
      for (const a of node.items) identifiers(a, out);
      break;
    case 'let': {
      identifiers(node.value, out);
      const inner = identifiers(node.body);
      inner.delete(node.name);
      for (const n of inner) out.add(n);
      break;
    }
    case 'predicate':
      identifiers(node.body, out);
      break;
    case 'num':
    case 'bool':
    case 'nil':
    case 'pointer':
      break;
  }
  return out;
}
