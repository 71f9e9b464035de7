/**
 * @module
 * tide's programmatic API. The CLI (`tide`) is built on these.
 */
export { loadManifests, validate, simulate, type ValidationReport } from './api.js';
export { validateSet, resolveTriggerInputs, describeResolvedTriggers } from './manifests/index.js';
export type * from './manifests/types.js';
export { ManifestError, ScalerError, TargetError, type ManifestIssue } from './errors.js';
export { Secret } from './secret.js';
export { decideScaledObject, decideScaledJob } from './engine/index.js';
export { renderSvg, parseTrace, type SimStep } from './simulate/index.js';
export { scalerDefinitions, getScalerDefinition } from './scalers/registry.js';
