/**
 * Which triggers depend on an object that is not in the cluster (yet). `kubectl apply -f dir/`
 * creates objects in file order, so a ScaledObject often arrives before its
 * TriggerAuthentication, Secret or target Deployment. KEDA's webhook does not look at those
 * references (its scalers fail later, at reconcile, until the objects exist), so a trigger
 * whose metadata cannot be checked for lack of them must not be refused: its errors become
 * warnings that say what is missing.
 */
import { scaleTargetKind } from '../../manifests/defaults.js';
import { findAuthentication, findScaleTarget } from '../../manifests/resolve-auth.js';
import { findConfigMap, findSecret } from '../../manifests/resolve-env.js';
import type { Container, ManifestSet, ScaledJob, ScaledObject } from '../../manifests/types.js';

/** Missing objects of one container's env (the env `*FromEnv` parameters are read from). */
function missingInEnv(c: Container, ns: string, set: ManifestSet): string[] {
  const out: string[] = [];
  const need = (kind: 'Secret' | 'ConfigMap', name: string, optional?: boolean) => {
    if (optional) return;
    const found = kind === 'Secret' ? findSecret(set, ns, name) : findConfigMap(set, ns, name);
    if (!found) out.push(`${kind} ${ns}/${name}`);
  };
  for (const f of c.envFrom ?? []) {
    if (f.secretRef) need('Secret', f.secretRef.name, f.secretRef.optional);
    if (f.configMapRef) need('ConfigMap', f.configMapRef.name, f.configMapRef.optional);
  }
  for (const e of c.env ?? []) {
    const s = e.valueFrom?.secretKeyRef;
    const m = e.valueFrom?.configMapKeyRef;
    if (s) need('Secret', s.name, s.optional);
    if (m) need('ConfigMap', m.name, m.optional);
  }
  return out;
}

/**
 * Per trigger index, the objects it references that `set` (read from the cluster) lacks:
 * its TriggerAuthentication and that one's Secrets and ConfigMaps; for `*FromEnv` parameters,
 * the scale target and the Secrets and ConfigMaps of its env.
 */
export function pendingReferences(
  owner: ScaledObject | ScaledJob,
  set: ManifestSet,
  clusterObjectNamespace: string,
): Map<number, string[]> {
  const ns = owner.metadata.namespace;
  const out = new Map<number, string[]>();
  let envMissing: string[] | undefined;
  const envSource = (): string[] => {
    if (envMissing) return envMissing;
    if (owner.kind === 'ScaledJob') {
      envMissing = owner.spec.jobTargetRef.template.spec.containers.flatMap((c) =>
        missingInEnv(c, ns, set),
      );
    } else {
      const target = findScaleTarget(owner, set);
      const { kind } = scaleTargetKind(owner);
      envMissing = target
        ? target.spec.template.spec.containers.flatMap((c) => missingInEnv(c, ns, set))
        : [`${kind} ${ns}/${owner.spec.scaleTargetRef.name}`];
    }
    return envMissing;
  };
  owner.spec.triggers.forEach((t, i) => {
    const missing: string[] = [];
    if (Object.keys(t.metadata).some((k) => k.endsWith('FromEnv'))) missing.push(...envSource());
    const ref = t.authenticationRef;
    if (ref) {
      const auth = findAuthentication(owner, ref, set);
      const kind = ref.kind ?? 'TriggerAuthentication';
      if (!auth)
        missing.push(
          kind === 'ClusterTriggerAuthentication'
            ? `${kind} ${ref.name}`
            : `${kind} ${ns}/${ref.name}`,
        );
      else {
        const authNs = auth.kind === 'ClusterTriggerAuthentication' ? clusterObjectNamespace : ns;
        for (const r of auth.spec.secretTargetRef ?? [])
          if (!findSecret(set, authNs, r.name)) missing.push(`Secret ${authNs}/${r.name}`);
        for (const r of auth.spec.configMapTargetRef ?? [])
          if (!findConfigMap(set, authNs, r.name)) missing.push(`ConfigMap ${authNs}/${r.name}`);
        if (auth.spec.env?.length) missing.push(...envSource());
      }
    }
    if (missing.length) out.set(i, [...new Set(missing)]);
  });
  return out;
}

/** The trigger index an issue path is about (`spec.triggers[2].metadata.x` → 2). */
export function triggerIndexOf(path: string): number | undefined {
  const m = /^spec\.triggers\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) : undefined;
}
