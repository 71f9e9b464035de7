/**
 * The conformance suite every scaler runs (in the spirit of bullmq's adapter conformance):
 * metric names carry the `s<index>-` prefix, `close()` is idempotent, and a source that is down
 * or rejects the credentials gives a ScalerError (not a raw client error) whose message holds no
 * secret.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScalerError } from '../../src/errors.js';
import type { Scaler } from '../../src/scalers/core/types.js';

export interface ContractFactory {
  /** A scaler reading a working source, built for `triggerIndex`. */
  working(triggerIndex: number): Promise<Scaler>;
  /** Builds a scaler whose source is down; omitted only for sources that cannot be down (cron). */
  down?(): Promise<Scaler>;
  /** Builds a scaler whose credentials are wrong; omitted for sources without credentials. */
  badCredentials?(): Promise<Scaler>;
  /** Values that must never appear in an error message (passwords, keys, URIs). */
  secrets: readonly string[];
}

/** Builds a scaler and reads it once; the failure may come from either step. */
async function buildAndRead(make: () => Promise<Scaler>): Promise<void> {
  const s = await make();
  try {
    await s.getMetricsAndActivity(AbortSignal.timeout(30_000));
  } finally {
    await s.close();
  }
}

function assertScalerError(secrets: readonly string[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof ScalerError, `expected a ScalerError, got ${String(e)}`);
    assert.equal(e.code, 'TIDE_SCALER_FAILED');
    for (const s of secrets)
      assert.ok(!e.message.includes(s), `message leaks a secret: ${e.message}`);
    assert.ok(!e.message.includes('[object'), e.message);
    return true;
  };
}

export function scalerContract(name: string, factory: () => ContractFactory): void {
  describe(`${name} scaler contract`, () => {
    test('metric names carry the s<triggerIndex>- prefix in specs and values', async () => {
      const f = factory();
      const s = await f.working(3);
      try {
        assert.ok(s.metricSpecs.length > 0, 'at least one metric spec');
        for (const m of s.metricSpecs) assert.match(m.name, /^s3-/);
        const r = await s.getMetricsAndActivity(AbortSignal.timeout(30_000));
        assert.deepEqual(
          r.metrics.map((m) => m.name),
          s.metricSpecs.map((m) => m.name),
        );
      } finally {
        await s.close();
      }
    });

    test('close() can be called twice', async () => {
      const s = await factory().working(0);
      await s.close();
      await s.close();
    });

    test('a source that is down gives a ScalerError without secrets', async (t) => {
      const f = factory();
      if (!f.down) {
        t.diagnostic(`${name} has no external source`);
        return;
      }
      await assert.rejects(buildAndRead(f.down.bind(f)), assertScalerError(f.secrets));
    });

    test('bad credentials give a ScalerError without secrets', async (t) => {
      const f = factory();
      if (!f.badCredentials) {
        t.diagnostic(`${name} has no credentials`);
        return;
      }
      const bad = f.badCredentials.bind(f);
      await assert.rejects(buildAndRead(bad), assertScalerError(f.secrets));
    });
  });
}
