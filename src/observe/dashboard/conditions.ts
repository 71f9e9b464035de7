/**
 * Turns what local mode knows (an object's status and its last decision record) into the
 * conditions and counts the page shows. Pure, so the operator's source can reuse it.
 */
import { KEDA, TIDE } from '../../engine/reasons.js';
import type { ObjectStatus } from '../../scheduler/status.js';
import {
  objectKey,
  type DashboardObject,
  type DecisionRecord,
  type ObjectConditions,
} from './source.js';

const FALLBACK = new Set<string>([
  KEDA.FallbackActivated,
  KEDA.FallbackExists,
  TIDE.FallbackMetric,
]);
const PAUSED = new Set<string>([KEDA.ScaledObjectPaused, KEDA.ScaledJobPaused]);

/** KEDA's Ready/Active/Paused/Fallback from the status and the latest round. */
export function conditionsOf(
  status: ObjectStatus,
  last: DecisionRecord | undefined,
): ObjectConditions {
  const codes = new Set<string>(last?.reasons.map((r) => r.code) ?? []);
  const failing = last?.triggers.filter((t) => t.error !== undefined).length ?? 0;
  let ready: boolean | 'unknown';
  if (status.error !== undefined && !last) ready = false;
  else if (!last) ready = 'unknown';
  else if (codes.has(KEDA.TriggerError) || (failing > 0 && failing === last.triggers.length))
    ready = false;
  else if (codes.has(KEDA.PartialTriggerError) || failing > 0) ready = 'unknown';
  else ready = true;
  return {
    ready,
    active: last?.isActive ?? false,
    paused: status.paused ?? [...codes].some((c) => PAUSED.has(c)),
    fallback: [...codes].some((c) => FALLBACK.has(c)),
  };
}

// JobState: Pending | Running | Succeeded | Failed.
const UNFINISHED = new Set(['Pending', 'Running']);

/** The page's view of one object; `maxJobs` bounds the job list sent to the browser. */
export function toDashboardObject(
  status: ObjectStatus,
  last: DecisionRecord | undefined,
  opts: { hasLogs: boolean; maxJobs?: number },
): DashboardObject {
  const jobs = status.jobs?.slice(-(opts.maxJobs ?? 50));
  return {
    key: objectKey(status),
    kind: status.kind,
    namespace: status.namespace,
    name: status.name,
    ...(status.target !== undefined ? { target: status.target } : {}),
    conditions: conditionsOf(status, last),
    ...(status.desiredReplicas !== undefined ? { desiredReplicas: status.desiredReplicas } : {}),
    ...(status.runningReplicas !== undefined ? { runningReplicas: status.runningReplicas } : {}),
    ...(status.readyReplicas !== undefined ? { readyReplicas: status.readyReplicas } : {}),
    ...(status.jobs
      ? { jobsRunning: status.jobs.filter((j) => UNFINISHED.has(j.state)).length }
      : {}),
    ...(status.lastReason !== undefined ? { lastReason: status.lastReason } : {}),
    ...(status.lastRoundAt !== undefined ? { lastRoundAt: status.lastRoundAt } : {}),
    ...(status.error !== undefined ? { error: status.error } : {}),
    triggers: status.triggers,
    ...(status.replicas ? { replicas: status.replicas } : {}),
    ...(jobs ? { jobs } : {}),
    hasLogs: opts.hasLogs,
  };
}
