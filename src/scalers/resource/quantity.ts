/**
 * Kubernetes resource quantities (`250m`, `0.5`, `128Mi`, `1e3`, `2G`) as numbers, as
 * `resource.ParseQuantity(...).AsApproximateFloat64()` reads them. Used by metrics-api (a string
 * value is a quantity) and by cpu/memory (`value` and container requests).
 */
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The quantity's value, or undefined when `s` is not a Kubernetes quantity. */
export function parseQuantity(s: string): number | undefined {
  const m = QUANTITY.exec(s.trim());
  if (!m) return undefined;
  const [, num = '', exp, suffix = ''] = m;
  if (exp) return Number(`${num}${exp}`);
  const scale = SUFFIX[suffix];
  return scale === undefined ? undefined : Number(num) * scale;
}
