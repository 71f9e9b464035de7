/**
 * scalingModifiers formulas: KEDA's `pkg/scaling/modifiers/formula_test.go` and the formula
 * test of `pkg/scaling/scale_handler_test.go` (run through `decideScaledObject`), and the
 * value tables of expr-lang v1.17.8 (KEDA's version) for the builtins and operators a formula
 * over numbers can use (`builtin/builtin_test.go` TestBuiltin, `expr_test.go` TestExpr and
 * TestPredicateCombination; cases over strings, maps, structs and dates are left out: trigger
 * values are numbers). The formulas KEDA's webhook envtests admit are in the admission tables
 * (test/conformance/admission.ts), run through tide's webhook.
 */
import {
  compileExpression,
  compileFormula,
  type FormulaValue,
} from '../../../src/engine/formula.js';
import { COMPOSITE_METRIC, decideScaledObject } from '../../../src/engine/scaled-object.js';
import {
  EMPTY_HPA_STATE,
  type MetricHealth,
  type MetricSpec,
  type TriggerReading,
} from '../../../src/engine/types.js';
import type { Fallback, ScaledObject } from '../../../src/manifests/types.js';
import { table, type Case } from '../harness.js';

const T = Date.parse('2026-01-01T12:00:00Z');

// --- through decideScaledObject ----------------------------------------------------------------

interface ModifiersInput {
  formula: string;
  target?: string;
  fallback?: Fallback;
  /** Per named trigger: its value, or 'error'; and its health before the round. */
  triggers: { name: string; reading: number | 'error'; health?: MetricHealth }[];
  /** Hand the engine a formula that never compiled. */
  notCompiled?: boolean;
}
interface ModifiersOutcome {
  composite?: number;
  error?: boolean;
}

function runModifiers(i: ModifiersInput): ModifiersOutcome {
  const so: ScaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'formula', namespace: 'default', labels: {}, annotations: {} },
    source: { file: 'conformance.yaml' },
    spec: {
      scaleTargetRef: { name: 'app' },
      triggers: i.triggers.map((t) => ({ type: 'cron', name: t.name, metadata: {} })),
      advanced: { scalingModifiers: { formula: i.formula, target: i.target ?? '1' } },
      ...(i.fallback ? { fallback: i.fallback } : {}),
    },
  };
  const specs: MetricSpec[][] = i.triggers.map((t, k) => [
    { name: `s${k}-${t.name}`, targetType: 'AverageValue', target: 1 },
  ]);
  const readings: TriggerReading[] = i.triggers.map((t, k) =>
    t.reading === 'error'
      ? { ok: false, error: 'scaler failed' }
      : { ok: true, metrics: [{ name: `s${k}-${t.name}`, value: t.reading }], isActive: true },
  );
  const health: Record<string, MetricHealth> = {};
  i.triggers.forEach((t, k) => {
    if (t.health) health[`s${k}-${t.name}`] = t.health;
  });
  const d = decideScaledObject({
    so,
    specs,
    readings,
    currentReplicas: 1,
    readyReplicas: 1,
    now: T,
    state: { health, hpa: EMPTY_HPA_STATE },
    ...(i.notCompiled ? { formula: compileFormula('(') } : {}),
  });
  const m = d.hpaMetrics.find((x) => x.name === COMPOSITE_METRIC);
  return m && 'value' in m && m.value !== undefined ? { composite: m.value } : { error: true };
}

const failing = (n: number): MetricHealth => ({ numberOfFailures: n, status: 'Failing' });
const smFallback: Fallback = { failureThreshold: 3, replicas: 5, behavior: 'scalingModifiers' };
/**
 * TestScalingModifierTriggerValue asks what the formula sees for a trigger given its health.
 * KEDA's helper reads the health the round has already updated (a read that succeeds resets
 * it to 0 first); tide's input is the round that leads there: a success for the cases that
 * see the value 7, and the failure that brings the count past the threshold for nil. The
 * formula `trigger_a ?? -1` shows nil as -1.
 */
const triggerValue = (
  name: string,
  reading: number | 'error',
  health: MetricHealth | undefined,
  fallback: Fallback | undefined,
  composite: number,
): Case<ModifiersInput, ModifiersOutcome> => ({
  go: `TestScalingModifierTriggerValue "${name}"`,
  input: {
    formula: 'trigger_a ?? -1',
    ...(fallback ? { fallback } : {}),
    triggers: [{ name: 'trigger_a', reading, ...(health ? { health } : {}) }],
  },
  keda: { composite },
});

const modifierCases: Case<ModifiersInput, ModifiersOutcome>[] = [
  triggerValue('no fallback configured returns the metric value', 7, undefined, undefined, 7),
  triggerValue(
    'no health status for trigger returns the metric value',
    7,
    undefined,
    smFallback,
    7,
  ),
  triggerValue('failures below threshold returns the metric value', 7, failing(2), smFallback, 7),
  triggerValue(
    'failures at threshold returns the metric value (gate is strict >)',
    7,
    failing(3),
    smFallback,
    7,
  ),
  triggerValue('failures one over threshold returns nil', 'error', failing(3), smFallback, -1),
  triggerValue('failures exceed threshold returns nil', 'error', failing(4), smFallback, -1),
  triggerValue(
    'healthy (failures reset to 0) returns the metric value',
    7,
    { numberOfFailures: 0, status: 'Happy' },
    smFallback,
    7,
  ),
  {
    go: 'TestCalculateScalingModifiersFormula',
    input: {
      formula: 'trigger1 + trigger2',
      triggers: [
        { name: 'trigger1', reading: 2 },
        { name: 'trigger2', reading: 5 },
      ],
    },
    keda: { composite: 7 },
  },
  {
    go: 'TestCalculateScalingModifiersFormulaFallbackReplicas',
    input: {
      formula: 'trigger1 ?? trigger2',
      target: '2',
      fallback: { failureThreshold: 3, replicas: 7, behavior: 'scalingModifiers' },
      triggers: [
        { name: 'trigger1', reading: 'error', health: failing(4) },
        { name: 'trigger2', reading: 'error', health: failing(4) },
      ],
    },
    keda: { composite: 14 },
  },
  {
    go: 'TestCalculateScalingModifiersFormulaNilCompiled',
    input: {
      formula: 'trigger1',
      notCompiled: true,
      triggers: [{ name: 'trigger1', reading: 1 }],
    },
    keda: { error: true },
  },
  {
    go: 'TestScalingModifiersFormula (scale_handler_test.go)',
    input: {
      formula: 'trigger_one + trigger_two',
      target: '2',
      triggers: [
        { name: 'trigger_one', reading: 2 },
        { name: 'trigger_two', reading: 5 },
      ],
    },
    keda: { composite: 7 },
  },
];

// --- expr-lang ---------------------------------------------------------------------------------

/** TestBuiltin's env, the arrays of numbers. */
const BUILTIN_ENV: Record<string, FormulaValue> = {
  ArrayOfInt: [1, 2, 3],
  ArrayOfFloat: [1.5, 2.5, 3.5],
  EmptyIntArray: [],
  EmptyFloatArray: [],
  NestedIntArrays: [
    [1, 2],
    [3, 4],
  ],
  NestedAnyArrays: [
    [1, 2],
    [3, 4],
  ],
  MixedNestedArray: [1, [2, 3], [4.0, 5.0]],
};
/** TestExpr's env (mock.Env), the numeric fields. */
const EXPR_ENV: Record<string, FormulaValue> = {
  One: 1,
  Two: 2,
  Int: 0,
  Int32: 0,
  Int64: 0,
  Float64: 0,
  ArrayOfInt: [1, 2, 3, 4, 5],
};

function evaluate(env: Record<string, FormulaValue>) {
  return (src: string): FormulaValue | string => {
    const c = compileExpression(src);
    if (!c.ok) return `does not compile: ${c.error}`;
    try {
      return c.run(env);
    } catch (e) {
      return `fails: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
}

const BUILTIN: [string, FormulaValue][] = [
  ['len(1..10)', 10],
  ['abs(-5)', 5],
  ['abs(.5)', 0.5],
  ['abs(-.5)', 0.5],
  ['ceil(5.5)', 6.0],
  ['ceil(5)', 5.0],
  ['floor(5.5)', 5.0],
  ['floor(5)', 5.0],
  ['round(5.5)', 6.0],
  ['round(5)', 5.0],
  ['round(5.49)', 5.0],
  ['int(5.5)', 5],
  ['int(5)', 5],
  ['float(5)', 5.0],
  ['float(5.5)', 5.5],
  ['max(1, 2, 3)', 3],
  ['max(1.5, 2.5, 3.5)', 3.5],
  ['max([1, 2, 3])', 3],
  ['max([1.5, 2.5, 3.5])', 3.5],
  ['max([1, 2, 4, 10], 20, [29, 23, -19])', 29],
  ['min([1, 2, 4, 10], 20, [29, 23, -19])', -19],
  ['min(1, 2, 3)', 1],
  ['min(1.5, 2.5, 3.5)', 1.5],
  ['min([1, 2, 3])', 1],
  ['min([1.5, 2.5, 3.5])', 1.5],
  ['min(-1, [1.5, 2.5, 3.5])', -1],
  ['max(ArrayOfInt)', 3],
  ['min(ArrayOfInt)', 1],
  ['max(ArrayOfFloat)', 3.5],
  ['min(ArrayOfFloat)', 1.5],
  ['max(EmptyIntArray, 5)', 5],
  ['min(EmptyFloatArray, 5)', 5],
  ['max(NestedIntArrays)', 4],
  ['min(NestedIntArrays)', 1],
  ['max(NestedAnyArrays)', 4],
  ['min(NestedAnyArrays)', 1],
  ['max(MixedNestedArray)', 5.0],
  ['min(MixedNestedArray)', 1],
  ['sum(1..9)', 45],
  ['sum([.5, 1.5, 2.5])', 4.5],
  ['sum([])', 0],
  ['sum([1, 2, 3.0, 4])', 10.0],
  ['mean(1..9)', 5.0],
  ['mean([.5, 1.5, 2.5])', 1.5],
  ['mean([])', 0.0],
  ['mean([1, 2, 3.0, 4])', 2.5],
  ['mean(10, [1, 2, 3], 1..9)', 4.6923076923076925],
  ['mean(-10, [1, 2, 3, 4])', 0.0],
  ['mean(10.9, 1..9)', 5.59],
  ['mean(ArrayOfInt)', 2.0],
  ['mean(ArrayOfFloat)', 2.5],
  ['mean(NestedIntArrays)', 2.5],
  ['mean(NestedAnyArrays)', 2.5],
  ['mean(MixedNestedArray)', 3.0],
  ['median(1..9)', 5.0],
  ['median([.5, 1.5, 2.5])', 1.5],
  ['median([])', 0.0],
  ['median([1, 2, 3])', 2.0],
  ['median([1, 2, 3, 4])', 2.5],
  ['median(10, [1, 2, 3], 1..9)', 4.0],
  ['median(-10, [1, 2, 3, 4])', 2.0],
  ['median(1..5, 4.9)', 3.5],
  ['median(ArrayOfInt)', 2.0],
  ['median(ArrayOfFloat)', 2.5],
  ['median(NestedIntArrays)', 2.5],
  ['median(NestedAnyArrays)', 2.5],
  ['median(MixedNestedArray)', 3.0],
  ['first(ArrayOfInt)', 1],
  ['first([])', null],
  ['last(ArrayOfInt)', 3],
  ['last([])', null],
  ['get(ArrayOfInt, 1)', 2],
  ['get(ArrayOfInt, -1)', 3],
  ['reduce(1..9, # + #acc, 0)', 45],
  ['reduce(1..9, # + #acc)', 45],
  ['reduce([.5, 1.5, 2.5], # + #acc, 0)', 4.5],
  ['reduce([], 5, 0)', 0],
  ['reduce(10..1, # + #acc, 100)', 100],
  ['reduce([], # + #acc, 42)', 42],
];
/** TestExpr lists `first(map(filter(1..9, # % 2 == 0), # * 2))` twice; it is here once. */
const EXPR: [string, FormulaValue][] = [
  ['1', 1],
  ['-.5', -0.5],
  ['true && false || false', false],
  ['-Int64 == 0', true],
  ['Int + 0', 0],
  ['Int32 + Int64', 0],
  ['Float64 + 0', 0],
  ['0 + Float64', 0],
  ['0 <= Float64', true],
  ['Float64 < 1', true],
  ['Int < 1', true],
  ['2 + 2 == 4', true],
  ['8 % 3', 2],
  ['2 ** 8', 256],
  ['2 ^ 8', 256],
  ['-(2-5)**3-2/(+4-3)+-2', 23],
  ['0 in -1..1 and 1 in 1..1', true],
  ['Int in 0..1', true],
  ['Int32 in 0..1', true],
  ['Int64 in 0..1', true],
  ['1 in [1.5] || 1 not in [1]', false],
  ['One in 0..1 && Two not in 0..1', true],
  ['Two not in 0..1', true],
  ['Two not    in 0..1', true],
  ['-1 not in [1]', true],
  ['Int32 in [10, 20]', false],
  ['(0..10)[5]', 5],
  ['len([1, 2, 3])', 3],
  ['len([1, Two, 3])', 3],
  ['len(ArrayOfInt)', 5],
  ['max([1, 2, 3])', 3],
  ['max(1, 2, 3)', 3],
  ['min([1, 2, 3])', 1],
  ['min(1, 2, 3)', 1],
  ['(true ? 0+1 : 2+3) + (false ? -1 : -2)', -1],
  ['filter(1..9, {# > 7})', [8, 9]],
  ['map(1..3, {# * #})', [1, 4, 9]],
  ['all(1..3, {# > 0})', true],
  ['count(1..30, {# % 3 == 0})', 10],
  ['count([true, true, false])', 2],
  ['1 + 1', 2],
  ['(One * Two) * 3 == One * (Two * 3)', true],
  ['ArrayOfInt[1]', 2],
  ['ArrayOfInt[0] < ArrayOfInt[1]', true],
  ['ArrayOfInt[-1]', 5],
  ['ArrayOfInt[1:2]', [2]],
  ['ArrayOfInt[1:4]', [2, 3, 4]],
  ['ArrayOfInt[-4:-1]', [2, 3, 4]],
  ['ArrayOfInt[:3]', [1, 2, 3]],
  ['ArrayOfInt[3:]', [4, 5]],
  ['ArrayOfInt[0:5] == ArrayOfInt', true],
  ['ArrayOfInt[0:] == ArrayOfInt', true],
  ['ArrayOfInt[:5] == ArrayOfInt', true],
  ['ArrayOfInt[:] == ArrayOfInt', true],
  ['4 in 5..1', false],
  ['4..0', []],
  ['map(filter(ArrayOfInt, # >= 3), # + 1)', [4, 5, 6]],
  ['len(filter(1..99, # % 7 == 0))', 14],
  ['findLast(1..9, # % 2 == 0)', 8],
  ['findLastIndex(1..9, # % 2 == 0)', 7],
  ['filter(1..9, # % 2 == 0)[-1]', 8],
  ['last(filter(1..9, # % 2 == 0))', 8],
  ['map(filter(1..9, # % 2 == 0), # * 2)', [4, 8, 12, 16]],
  ['map(map(filter(1..9, # % 2 == 0), # * 2), # * 2)', [8, 16, 24, 32]],
  ['first(map(filter(1..9, # % 2 == 0), # * 2))', 4],
  ['map(filter(1..9, # % 2 == 0), # * 2)[-1]', 16],
  ['len(map(filter(1..9, # % 2 == 0), # * 2))', 4],
  ['len(filter(map(1..9, # * 2), # % 2 == 0))', 9],
  ['first(filter(map(1..9, # * 2), # % 2 == 0))', 2],
  ['2^3 == 8', true],
  ['4/2 == 2', true],
  ['.5 in 0..1', false],
  ['.5 in ArrayOfInt', false],
  ['[1, 2, 3]?.[0]', 1],
  ['[[1, 2], 3, 4]?.[0]?.[1]', 2],
  ['[nil, 3, 4]?.[0]?.[1]', null],
  ['1 > 2 < 3', false],
  ['1 < 2 < 3', true],
  ['1 < 2 < 3 > 4', false],
  ['1 < 2 < 3 > 2', true],
  ['1 < 2 < 3 == true', true],
  ['1; 2; 3', 3],
];

const builtinCases: Case<string, FormulaValue | string>[] = BUILTIN.map(([src, keda]) => ({
  go: `TestBuiltin ${src}`,
  input: src,
  keda,
}));
const exprCases: Case<string, FormulaValue | string>[] = EXPR.map(([src, keda]) => ({
  go: `TestExpr ${src}`,
  input: src,
  keda,
}));

/** TestPredicateCombination: each pair of expressions gives the same answer. */
const PAIRS: [string, string][] = [
  ['all(1..3, {# > 0}) && all(1..3, {# < 4})', 'all(1..3, {# > 0 && # < 4})'],
  ['all(1..3, {# > 1}) && all(1..3, {# < 4})', 'all(1..3, {# > 1 && # < 4})'],
  ['all(1..3, {# > 0}) && all(1..3, {# < 2})', 'all(1..3, {# > 0 && # < 2})'],
  ['all(1..3, {# > 1}) && all(1..3, {# < 2})', 'all(1..3, {# > 1 && # < 2})'],
  ['any(1..3, {# > 0}) || any(1..3, {# < 4})', 'any(1..3, {# > 0 || # < 4})'],
  ['any(1..3, {# > 1}) || any(1..3, {# < 4})', 'any(1..3, {# > 1 || # < 4})'],
  ['any(1..3, {# > 0}) || any(1..3, {# < 2})', 'any(1..3, {# > 0 || # < 2})'],
  ['any(1..3, {# > 1}) || any(1..3, {# < 2})', 'any(1..3, {# > 1 || # < 2})'],
  ['none(1..3, {# > 0}) && none(1..3, {# < 4})', 'none(1..3, {# > 0 || # < 4})'],
  ['none(1..3, {# > 1}) && none(1..3, {# < 4})', 'none(1..3, {# > 1 || # < 4})'],
  ['none(1..3, {# > 0}) && none(1..3, {# < 2})', 'none(1..3, {# > 0 || # < 2})'],
  ['none(1..3, {# > 1}) && none(1..3, {# < 2})', 'none(1..3, {# > 1 || # < 2})'],
];
const combinationCases: Case<[string, string], string>[] = PAIRS.map(([a, b]) => ({
  go: `TestPredicateCombination ${a}`,
  input: [a, b],
  keda: 'equal',
}));
function runCombination([a, b]: [string, string]): string {
  const [x, y] = [evaluate({})(a), evaluate({})(b)];
  return typeof x === 'boolean' && x === y ? 'equal' : `${String(x)} vs ${String(y)}`;
}

/** TestBuiltin_errors and TestExpr_error, the cases over numbers and arrays: each is an error. */
const ERRORS: [string, string][] = [
  ['TestBuiltin_errors', 'len()'],
  ['TestBuiltin_errors', 'len(1)'],
  ['TestBuiltin_errors', 'abs()'],
  ['TestBuiltin_errors', 'abs(1, 2)'],
  ['TestBuiltin_errors', 'int()'],
  ['TestBuiltin_errors', 'int(1, 2)'],
  ['TestBuiltin_errors', 'float()'],
  ['TestBuiltin_errors', 'float(1, 2)'],
  ['TestBuiltin_errors', 'max()'],
  ['TestBuiltin_errors', 'min()'],
  ['TestBuiltin_errors', 'get()'],
  ['TestBuiltin_errors', 'get(1, 2)'],
  ['TestExpr_error', 'filter(1..9, # > 9)[0]'],
  ['TestExpr_error', 'reduce(10..1, # + #acc)'],
];
const errorCases: Case<string, string>[] = ERRORS.map(([test, src]) => ({
  go: `${test} ${src}`,
  input: src,
  keda: 'error',
}));
function runError(src: string): string {
  const v = evaluate({})(src);
  return typeof v === 'string' ? 'error' : `no error: ${JSON.stringify(v)}`;
}

export const formulaTables = [
  table({
    name: 'formula: scalingModifiers (modifiers, scale handler)',
    goFile: 'pkg/scaling/modifiers/formula_test.go',
    cases: modifierCases,
    run: runModifiers,
  }),
  table({
    name: 'formula: expr-lang TestBuiltin (numbers, arrays)',
    goFile: 'expr-lang/expr v1.17.8 builtin/builtin_test.go',
    cases: builtinCases,
    run: evaluate(BUILTIN_ENV),
  }),
  table({
    name: 'formula: expr-lang TestExpr (numbers, arrays)',
    goFile: 'expr-lang/expr v1.17.8 expr_test.go',
    cases: exprCases,
    run: evaluate(EXPR_ENV),
  }),
  table({
    name: 'formula: expr-lang errors',
    goFile: 'expr-lang/expr v1.17.8 builtin/builtin_test.go, expr_test.go',
    cases: errorCases,
    run: runError,
  }),
  table({
    name: 'formula: expr-lang TestPredicateCombination',
    goFile: 'expr-lang/expr v1.17.8 expr_test.go',
    cases: combinationCases,
    run: runCombination,
  }),
];
