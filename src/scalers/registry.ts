/**
 * Maps a trigger `type` to its scaler definition. One sorted array (a unit test keeps it
 * sorted and unique, in the spirit of KEDA's sort_scalers.sh), turned into a Map.
 */
import type { ScalerDefinition } from './types.js';

export const scalerDefinitions: readonly ScalerDefinition<never>[] = [];

const byType = new Map<string, ScalerDefinition<never>>(scalerDefinitions.map((d) => [d.type, d]));

export function getScalerDefinition(type: string): ScalerDefinition<never> | undefined {
  return byType.get(type);
}
