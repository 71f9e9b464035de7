/**
 * A ScaleTarget in memory for controller tests: its replicas are what the controller last
 * asked (or what the test sets, as a `kubectl scale` behind its back), and it counts the asks.
 */
import type { ScaleTarget, TargetStatus } from '../../src/targets/target.js';

export interface CountingTarget {
  readonly target: ScaleTarget;
  /** Replicas now; a test may set it. */
  replicas: number;
  /** `scaleTo` calls so far. */
  scaleCalls: number;
}

/** `onScale(n, before)` runs on every `scaleTo`, before the replicas change. */
export function countingTarget(onScale?: (n: number, before: number) => void): CountingTarget {
  const name = 'Deployment default/worker';
  const t: CountingTarget = {
    replicas: 0,
    scaleCalls: 0,
    target: {
      name,
      currentReplicas: () => t.replicas,
      readyReplicas: () => t.replicas,
      scaleTo: (n) => {
        t.scaleCalls++;
        onScale?.(n, t.replicas);
        t.replicas = n;
      },
      status: (): TargetStatus => ({
        name,
        desiredReplicas: t.replicas,
        currentReplicas: t.replicas,
        readyReplicas: t.replicas,
        replicas: [],
      }),
      stop: () => Promise.resolve(),
    },
  };
  return t;
}
