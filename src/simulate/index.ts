/**
 * @module
 * `tide simulate`: replay a trace of source readings through the engine with a simulated
 * clock, and draw the result.
 */
export {
  parseTrace,
  type Trace,
  type TraceHeader,
  type TraceResult,
  type TraceSample,
} from './trace.js';
export {
  simulate,
  simulateQueue,
  SimulationError,
  type ObjectQueueResult,
  type SimStep,
  type SimulateOptions,
} from './simulate.js';
export {
  arrivalsFrom,
  QueueSim,
  waitStats,
  type Arrival,
  type QueueResult,
  type WaitStats,
} from './queue.js';
export { simulatedSpec, type SpecResult } from './specs.js';
export { renderSvg, type SvgOptions } from './svg.js';
export { renderHtml, stepToPoint, type ChartPoint, type HtmlRun } from './html.js';
