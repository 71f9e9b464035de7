/**
 * @module
 * tide's pure decision engine: no I/O, no clock (`now` is an input), no client libraries.
 * The scheduler calls `decideScaledObject` / `decideScaledJob` once per round and keeps the
 * returned `state` for the next one.
 */
export * from './reasons.js';
export * from './types.js';
export * from './hpa.js';
export * from './formula.js';
export * from './pause.js';
export * from './fallback.js';
export * from './scaled-object.js';
export * from './scaled-job.js';
export { formatInstant, formatRfc3339, parseRfc3339 } from './time.js';
export * from './wait-target.js';
