/**
 * Tokenizer and precedence-climbing parser for the subset of expr-lang
 * (github.com/expr-lang/expr v1.17) that `scalingModifiers.formula` uses. Operator precedences
 * are expr-lang's (`parser/operator`): `??` binds tightest, then `**`/`^` (right-assoc), unary
 * `-`/`+`, `* / %`, `+ -`, the range `..`, comparisons and `in`, unary `not`/`!`, `and`/`&&`,
 * `or`/`||`, and the ternary `?:` last. Arrays (`[a, b]`, `a[0]`), and the predicate builtins
 * whose second argument is a closure over `#` (`count([a, b], {# > 1})`, braces optional) are
 * parsed as expr-lang parses them.
 */

export type Node =
  | { kind: 'num'; value: number; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'pointer'; pos: number }
  | { kind: 'array'; items: Node[]; pos: number }
  | { kind: 'index'; target: Node; index: Node; pos: number }
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

export class FormulaSyntaxError extends Error {
  override readonly name = 'FormulaSyntaxError';
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} at column ${pos + 1}`);
  }
}

const OPS = [
  '??',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '..',
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
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new FormulaSyntaxError(`unexpected character '${c}'`, i);
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
      const op = opText(t);
      const info = op === undefined ? undefined : BINARY[op];
      if (op === undefined || !info || info.prec < minPrec) break;
      next();
      const right = expression(info.right ? info.prec : info.prec + 1);
      left = { kind: 'binary', op, left, right, pos: t.pos };
    }
    return left;
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

  /** `a[i]`, any number of times. */
  function postfix(node: Node): Node {
    let n = node;
    while (isOp(peek(), '[')) {
      const t = next();
      const index = ternary();
      expect(']');
      n = { kind: 'index', target: n, index, pos: t.pos };
    }
    return n;
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
      if (t.text === 'true' || t.text === 'false')
        return { kind: 'bool', value: t.text === 'true', pos: t.pos };
      if (t.text === 'nil') return { kind: 'nil', pos: t.pos };
      if (WORD_OPS.has(t.text)) throw new FormulaSyntaxError(`unexpected '${t.text}'`, t.pos);
      if (isOp(peek(), '(')) return call(t.text, t.pos);
      return { kind: 'ident', name: t.text, pos: t.pos };
    }
    if (isOp(t, '#') && depth > 0) return { kind: 'pointer', pos: t.pos };
    if (isOp(t, '(')) {
      const inner = ternary();
      expect(')');
      return inner;
    }
    if (isOp(t, '[')) return { kind: 'array', items: list(']', ternary), pos: t.pos };
    throw new FormulaSyntaxError(`unexpected ${describe(t)}`, t.pos);
  }

  function ternary(): Node {
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

  const ast = ternary();
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
