import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFormula, unsupportedFormula, validateFormula } from './formula.js';

const vars = { a: 10, b: 4, c: null, zero: 0 };

const ok: { name: string; formula: string; want: number | null }[] = [
  { name: 'adds two trigger values', formula: 'a + b', want: 14 },
  { name: 'multiplication binds tighter than addition', formula: 'a + b * 2', want: 18 },
  { name: 'parentheses group', formula: '(a + b) * 2', want: 28 },
  { name: 'division is float division', formula: 'a / b', want: 2.5 },
  { name: 'modulo on integers', formula: 'a % b', want: 2 },
  { name: '** is power and right-associative', formula: '2 ** 3 ** 2', want: 512 },
  { name: '^ is power too', formula: '2 ^ 10', want: 1024 },
  { name: 'unary minus binds looser than power (expr-lang)', formula: '-2 ** 2', want: -4 },
  { name: 'unary minus on a variable', formula: '-a + b', want: -6 },
  { name: 'ternary picks by comparison', formula: 'a > b ? a : b', want: 10 },
  { name: 'nested ternary is right-associative', formula: 'a < 5 ? 1 : a < 20 ? 2 : 3', want: 2 },
  { name: '&& and || combine comparisons', formula: 'a > 5 && b < 5 || false ? 1 : 0', want: 1 },
  { name: 'and/or/not keywords', formula: 'not (a > 5 and b > 5) or false ? 1 : 0', want: 1 },
  { name: '! negates', formula: '!(a == 10) ? 1 : 0', want: 0 },
  { name: '?? takes the right side when the left is nil', formula: 'c ?? 7', want: 7 },
  { name: '?? keeps a non-nil left side, even 0', formula: 'zero ?? 7', want: 0 },
  { name: '?? binds tighter than +', formula: 'c ?? 1 + 1', want: 2 },
  { name: 'a formula can yield nil through ??', formula: 'c ?? nil', want: null },
  { name: 'min and max are variadic', formula: 'max(a, b, 12) - min(a, b)', want: 8 },
  {
    name: 'ceil, floor, round, abs, int, float',
    formula: 'ceil(2.1) + floor(2.9) + round(2.5) + abs(-1) + int(3.9) + float(1)',
    want: 3 + 2 + 3 + 1 + 3 + 1,
  },
  { name: 'round is half away from zero', formula: 'round(-2.5)', want: -3 },
  { name: 'numbers with exponents and underscores', formula: '1e3 + 1_000 + .5', want: 2000.5 },
  { name: 'the KEDA docs example: average of two triggers', formula: '(a + b) / 2', want: 7 },
  { name: 'the KEDA docs example with a threshold', formula: 'a < 2 ? a + b : a', want: 10 },
];
// The predicate builtins KEDA users write, each against the value expr-lang gives.
ok.push(
  { name: 'count with a closure (KEDA webhook test)', formula: 'count([a, b], {# > 5})', want: 1 },
  { name: 'count without braces', formula: 'count([a, b, zero], # >= 4)', want: 2 },
  { name: 'all', formula: 'all([a, b], {# > 3}) ? 1 : 0', want: 1 },
  { name: 'any', formula: 'any([a, b], {# > 9}) ? 1 : 0', want: 1 },
  { name: 'none', formula: 'none([a, b], {# > 10}) ? 1 : 0', want: 1 },
  { name: 'one', formula: 'one([a, b], {# > 5}) ? 1 : 0', want: 1 },
  { name: 'filter then sum', formula: 'sum(filter([a, b, zero], {# > 0}))', want: 14 },
  { name: 'map then max', formula: 'max(map([a, b], {# * 2}))', want: 20 },
  { name: 'sum with a predicate maps first', formula: 'sum([a, b], {# / 2})', want: 7 },
  { name: 'min and max take arrays', formula: 'max([a, b], 3) - min([a, b])', want: 6 },
  { name: 'mean and median', formula: 'mean([a, b]) + median([1, 2, 3, 4])', want: 9.5 },
  {
    name: 'len, first, last and an index',
    formula: 'len([a, b]) + first([a, b]) + last([a, b]) + [a, b][-1]',
    want: 20,
  },
  { name: 'a range', formula: 'sum(1..4)', want: 10 },
  { name: 'in', formula: 'b in [1, 4] ? 1 : 0', want: 1 },
  {
    name: 'nested predicates see their own #',
    formula: 'count(1..3, {all(1..2, {# > 0}) and # > 1})',
    want: 2,
  },
  { name: '?? inside an array', formula: 'max([c ?? 0, b])', want: 4 },
  { name: 'a comparison chain is a conjunction', formula: '0 < b < 5 ? 1 : 2', want: 1 },
  { name: 'not in', formula: 'a not in [1, 2] ? 1 : 2', want: 1 },
  { name: 'a slice', formula: 'sum([a, b, zero][1:])', want: 4 },
  { name: 'let binds a name for the rest', formula: 'let t = a + b; t > 10 ? t : 0', want: 14 },
  { name: 'a sequence is its last expression', formula: 'a; b', want: 4 },
  { name: 'reduce with #acc', formula: 'reduce([a, b], #acc + #, 1)', want: 15 },
  { name: '#index inside a predicate', formula: 'sum([a, b], # * #index)', want: 4 },
  { name: 'get out of range is nil', formula: 'get([a], 3) ?? 7', want: 7 },
  { name: 'an optional index on nil is nil', formula: 'c?.[0] ?? 6', want: 6 },
);

test('valid expr-lang tide does not compute is told apart from an invalid formula', () => {
  assert.match(unsupportedFormula('a > 1 ? 5 : len("x")') ?? '', /strings are not supported/);
  assert.match(unsupportedFormula('upper(a)') ?? '', /upper\(\) is not supported/);
  assert.match(unsupportedFormula('a.b') ?? '', /member access/);
  assert.match(unsupportedFormula('{x: a}') ?? '', /maps are not supported/);
  assert.equal(unsupportedFormula('a +'), undefined);
  assert.equal(unsupportedFormula('nosuch(a)'), undefined);
  assert.equal(unsupportedFormula('a + b'), undefined);
});

test('a let-bound name is not a trigger name', () => {
  assert.equal(validateFormula('let t = a * 2; t + 1', ['a']), undefined);
});

test('count([trig_one, trig_two], {# > 1}) compiles and runs (it did not)', () => {
  const f = compileFormula('count([trig_one, trig_two], {# > 1}) > 1 ? 5 : 0');
  assert.ok(f.ok, f.ok ? '' : f.error);
  assert.equal(f.evaluate({ trig_one: 2, trig_two: 3 }), 5);
  assert.equal(f.evaluate({ trig_one: 2, trig_two: 1 }), 0);
});

for (const c of ok) {
  test(`formula ${c.formula}: ${c.name}`, () => {
    const f = compileFormula(c.formula);
    assert.ok(f.ok, f.ok ? '' : f.error);
    assert.equal(f.evaluate(vars), c.want);
  });
}

const syntax: { name: string; formula: string; error: RegExp }[] = [
  {
    name: 'an unclosed parenthesis names the end',
    formula: '(a + b',
    error: /expected '\)' but found end of formula at column 7/,
  },
  {
    name: 'a dangling operator names its column',
    formula: 'a + * b',
    error: /unexpected '\*' at column 5/,
  },
  {
    name: 'an unknown character is rejected',
    formula: 'a @ b',
    error: /unexpected character '@' at column 3/,
  },
  {
    name: '# outside a predicate is rejected',
    formula: 'a + #',
    error: /unexpected '#' at column 5/,
  },
  {
    name: 'sqrt and pow are not expr-lang builtins (KEDA refuses them too)',
    formula: 'sqrt(a) + pow(a, 2)',
    error: /unknown function sqrt\(\)/,
  },
  {
    name: 'an unknown function is rejected',
    formula: 'log(a)',
    error: /unknown function log\(\) at column 1/,
  },
  {
    name: 'wrong arity is rejected',
    formula: 'abs(a, b)',
    error: /abs\(\) takes 1 argument, got 2/,
  },
  { name: 'trailing tokens are rejected', formula: 'a b', error: /unexpected 'b' at column 3/ },
  { name: 'an empty formula is rejected', formula: '  ', error: /empty/ },
  { name: 'a ternary without else is rejected', formula: 'a ? 1', error: /expected ':'/ },
];
for (const c of syntax) {
  test(`formula ${JSON.stringify(c.formula)}: ${c.name}`, () => {
    const f = compileFormula(c.formula);
    assert.equal(f.ok, false);
    if (!f.ok) assert.match(f.error, c.error);
  });
}

const runtime: { name: string; formula: string; error: RegExp }[] = [
  {
    name: 'arithmetic on nil fails',
    formula: 'c + 1',
    error: /'\+' expects a number, got nil at column 3/,
  },
  { name: 'an unbound variable fails', formula: 'd * 2', error: /unknown name d/ },
  {
    name: 'a boolean result fails (KEDA wraps in float())',
    formula: 'a > b',
    error: /must be a number, got bool/,
  },
  { name: 'modulo by zero fails', formula: 'a % zero', error: /divide by zero/ },
  {
    name: 'a non-boolean ternary condition fails',
    formula: 'a ? 1 : 2',
    error: /condition expects a bool/,
  },
];
for (const c of runtime) {
  test(`formula ${c.formula}: ${c.name}`, () => {
    const f = compileFormula(c.formula);
    assert.ok(f.ok);
    assert.throws(() => f.evaluate(vars), c.error);
  });
}

test('compiling against trigger names rejects unknown identifiers', () => {
  const f = compileFormula('a + other', ['a', 'b']);
  assert.equal(f.ok, false);
  if (!f.ok) assert.match(f.error, /unknown name other/);
});

test('compiled formulas list the names they read', () => {
  const f = compileFormula('max(a, b) + (c ?? 0)');
  assert.ok(f.ok);
  assert.deepEqual([...f.names].sort(), ['a', 'b', 'c']);
});

const validation: {
  name: string;
  formula: string;
  triggers: string[];
  want: RegExp | undefined;
}[] = [
  {
    name: 'a formula over named triggers is valid',
    formula: 'a + b',
    triggers: ['a', 'b'],
    want: undefined,
  },
  {
    name: 'an unnamed trigger reference is rejected',
    formula: 'a + x',
    triggers: ['a'],
    want: /unknown name x/,
  },
  {
    name: 'a formula that fails with every trigger at −1 is rejected',
    formula: 'a % 0',
    triggers: ['a'],
    want: /divide by zero/,
  },
  {
    name: 'a boolean formula is rejected',
    formula: 'a > 0',
    triggers: ['a'],
    want: /must be a number/,
  },
];
for (const c of validation) {
  test(`validateFormula: ${c.name}`, () => {
    const e = validateFormula(c.formula, c.triggers);
    if (c.want === undefined) assert.equal(e, undefined);
    else assert.match(e ?? '', c.want);
  });
}
