/**
 * External metric names as KEDA builds them: `s<triggerIndex>-<name>` (GenerateMetricNameWithIndex)
 * where the name went through `NormalizeString`. Kubernetes metric names cannot hold these
 * characters, and tide keeps KEDA's names so dashboards and `kubectl get hpa` read the same.
 */

/** KEDA util.NormalizeString: `/ . : % ( )` become `-`. */
export function normalizeString(s: string): string {
  return s.replace(/[/.:%()]/g, '-');
}

/** `s<triggerIndex>-<normalized name>`. */
export function metricName(triggerIndex: number, name: string): string {
  return `s${triggerIndex}-${normalizeString(name)}`;
}
