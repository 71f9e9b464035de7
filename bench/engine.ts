/**
 * One engine round for 10,000 ScaledObjects with two triggers each (not a test).
 *   npx tsx bench/engine.ts [objects]
 * Prints the total time of the round and the cost per object, after a warm-up round.
 */
import { performance } from 'node:perf_hooks';
import { decideScaledObject } from '../src/engine/scaled-object.js';
import {
  INITIAL_SCALED_OBJECT_STATE,
  type MetricSpec,
  type ScaledObjectState,
  type TriggerReading,
} from '../src/engine/types.js';
import type { ScaledObject } from '../src/manifests/types.js';

const N = Number(process.argv[2] ?? 10_000);
const T0 = 1_700_000_000_000;

const objects: {
  so: ScaledObject;
  specs: MetricSpec[][];
  state: ScaledObjectState;
  replicas: number;
}[] = [];
for (let i = 0; i < N; i++) {
  objects.push({
    so: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: `so-${i}`, namespace: 'bench', labels: {}, annotations: {} },
      source: { file: 'bench' },
      spec: {
        scaleTargetRef: { name: `worker-${i}` },
        pollingInterval: 15,
        cooldownPeriod: 200,
        maxReplicaCount: 50,
        // A third of the objects use a behavior, to exercise policies and both windows.
        ...(i % 3 === 0
          ? {
              advanced: {
                horizontalPodAutoscalerConfig: {
                  behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
                },
              },
            }
          : {}),
        triggers: [
          { type: 'redis', metadata: { listName: `q${i}`, listLength: '10' } },
          { type: 'rabbitmq', metadata: { queueName: `r${i}`, value: '20' } },
        ],
      },
    },
    specs: [
      [{ name: 's0-redis', targetType: 'AverageValue', target: 10 }],
      [{ name: 's1-rabbitmq', targetType: 'AverageValue', target: 20 }],
    ],
    state: INITIAL_SCALED_OBJECT_STATE,
    replicas: i % 5,
  });
}

function round(now: number): void {
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const v = (i * 7919 + now / 1000) % 400;
    const readings: TriggerReading[] = [
      { ok: true, metrics: [{ name: 's0-redis', value: v }], isActive: v > 0 },
      i % 50 === 0
        ? { ok: false, error: 'connection refused' }
        : { ok: true, metrics: [{ name: 's1-rabbitmq', value: v / 2 }], isActive: v > 0 },
    ];
    const d = decideScaledObject({
      so: o.so,
      specs: o.specs,
      readings,
      currentReplicas: o.replicas,
      now,
      state: o.state,
    });
    o.state = d.state;
    o.replicas = d.desiredReplicas;
  }
}

// Warm up with a few rounds so the HPA histories are populated, as in steady state.
for (let r = 0; r < 5; r++) round(T0 + r * 15_000);
const rounds = 5;
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t = performance.now();
  round(T0 + (5 + r) * 15_000);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(rounds / 2)]!;
console.log(`engine round: ${N} ScaledObjects × 2 triggers`);
console.log(
  `  median of ${rounds} rounds: ${median.toFixed(1)} ms total, ${((median * 1000) / N).toFixed(2)} µs per object`,
);
console.log(`  min ${times[0]!.toFixed(1)} ms, max ${times[rounds - 1]!.toFixed(1)} ms`);
