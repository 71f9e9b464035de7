/**
 * @module manifests
 * KEDA's kinds and the Kubernetes kinds local mode reads: YAML loading with positions, zod
 * schemas with KEDA's CRD constraints, KEDA's webhook rules, env and auth resolution.
 */
export type * from './types.js';
export { objectName } from './types.js';
export {
  loadManifests,
  loadManifestsFromString,
  emptySet,
  addToSet,
  allObjects,
  withoutInvalidFiles,
} from './load.js';
export type { LoadResult } from './load.js';
export { validateSet, checkLocalTargets } from './validate.js';
export type { ValidationResult } from './validate.js';
export { resolveContainerEnv, expandEnvValue, findSecret, findConfigMap } from './resolve-env.js';
export type { ResolveEnvOptions, ResolvedEnv } from './resolve-env.js';
export { resolveTriggerInputs, findScaleTarget, findAuthentication } from './resolve-auth.js';
export type { ResolveAuthOptions } from './resolve-auth.js';
export { describeResolvedTriggers } from './describe.js';
export type { ResolvedTrigger } from './describe.js';
export * from './defaults.js';
