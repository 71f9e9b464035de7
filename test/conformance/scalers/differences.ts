/**
 * Differences shared by many scaler cases; each id is explained in docs/keda-differences.md.
 */
import type { Differs } from '../harness.js';
import type { ParseOutcome } from './run.js';

/** A target of 0 (or below): KEDA's parser accepts it, its HPA is refused; tide refuses it. */
export const TARGET_ZERO: Differs<ParseOutcome> = {
  id: 'target-not-positive',
  tide: { result: 'error' },
};
