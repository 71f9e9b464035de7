/** Local mode targets: a Deployment's replicas and a ScaledJob's jobs as child processes. */
export { ProcessPool, type ProcessPoolOptions } from './process-pool.js';
export { JobRunner, type JobRunnerOptions, type JobTemplate } from './job-runner.js';
export { DEFAULT_GRACE_SECONDS, expandVars, type ProcessSpec } from './process-spec.js';
export {
  Backoff,
  JOB_RETRY_BACKOFF,
  KUBELET_RESTART_BACKOFF,
  type BackoffOptions,
} from './backoff.js';
export type { LineSink } from './child.js';
