/**
 * The programmatic API: what `tide validate` and `tide simulate` do, as functions.
 *
 *   import { loadManifests, validate, simulate } from 'tide-autoscaler';
 *   const report = await validate(['examples/celery-redis']);
 *   if (!report.valid) console.error(report.errors.map(String).join('\n'));
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ManifestError } from './errors.js';
import { checkLocalTargets, loadManifests, validateSet } from './manifests/index.js';
import type { ManifestSet } from './manifests/types.js';
import type { SimStep } from './simulate/index.js';

export interface ValidationReport {
  valid: boolean;
  files: string[];
  set: ManifestSet;
  errors: ManifestError[];
  warnings: ManifestError[];
}

/**
 * Loads and validates manifests as KEDA's CRDs, CEL rules and admission webhook would, plus
 * (with `local: true`, the default) the checks local mode needs: every ScaledObject's target
 * is in the set. Never throws for bad input: problems are in `errors`.
 */
export async function validate(
  paths: string[],
  opts: { local?: boolean } = {},
): Promise<ValidationReport> {
  const loaded = await loadManifests(paths);
  const v = validateSet(loaded.set);
  const local = opts.local === false ? { errors: [], warnings: [] } : checkLocalTargets(loaded.set);
  const errors = [...loaded.errors, ...v.errors, ...local.errors];
  const warnings = [...loaded.warnings, ...v.warnings, ...local.warnings];
  return { valid: errors.length === 0, files: loaded.files, set: loaded.set, errors, warnings };
}

/**
 * Replays a trace file (JSON or CSV, see examples/traces/) through the engine against the
 * ScaledObjects and ScaledJobs in `paths`. Rejects when the manifests or the trace are invalid.
 */
export async function simulate(paths: string[], traceFile: string): Promise<SimStep[]> {
  const report = await validate(paths, { local: false });
  if (!report.valid) throw new Error(report.errors.map((e) => e.message).join('\n'));
  // Loaded here, not with the module: `tide validate` imports this file and needs no engine.
  const { parseTrace, simulate: simulateTrace } = await import('./simulate/index.js');
  const text = await readFile(traceFile, 'utf8');
  const format = extname(traceFile).toLowerCase() === '.json' ? 'json' : 'csv';
  const parsed = parseTrace(text, format);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${traceFile}: ${e}`).join('\n'));
  return simulateTrace({ set: report.set, trace: parsed.trace });
}

export { loadManifests };
