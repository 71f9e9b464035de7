/**
 * What cpu/memory triggers need from a local scale target: its replicas' process groups and
 * the pod template's container resources. Built from `status()` so the pool needs no new API.
 */
import type { Container } from '../../manifests/types.js';
import type { LocalReplicas } from '../../scalers/core/types.js';
import type { ScaleTarget } from '../target.js';

export function localReplicasOf(
  target: ScaleTarget,
  containers: readonly Container[],
): LocalReplicas {
  return {
    processes: () =>
      target
        .status()
        .replicas.filter((r) => r.state !== 'Terminating' && r.pid !== undefined)
        .map((r) => ({ name: r.name, pid: r.pid ?? 0, ready: r.state === 'Running' })),
    containers: containers.map((c) => ({
      name: c.name,
      ...(c.resources?.requests ? { requests: c.resources.requests } : {}),
      ...(c.resources?.limits ? { limits: c.resources.limits } : {}),
    })),
  };
}
