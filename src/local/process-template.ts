/**
 * Turns a pod template from the manifests into what a local child process runs: the
 * container's `command` + `args`, its working directory and its resolved env.
 *
 * Local-mode rules (documented in the README):
 * - The first container runs; other containers and initContainers are not run (a warning says so).
 * - The annotation `autoscaling.tide.dev/local-command` on the Deployment / StatefulSet /
 *   ScaledJob replaces `command` + `args` for local runs (a JSON array of strings), so a
 *   manifest written for an image can run locally without editing its container.
 * - `workingDir`, when relative, and the default working directory are the manifest file's
 *   folder, so `tide up` behaves the same from any directory.
 */
import { dirname, resolve } from 'node:path';
import { ManifestError, type ManifestIssue } from '../errors.js';
import { resolveContainerEnv } from '../manifests/resolve-env.js';
import {
  objectName,
  type Container,
  type ManifestSet,
  type PodTemplateSpec,
  type SourceLocation,
} from '../manifests/types.js';
import { terminationGracePeriodSeconds } from '../manifests/defaults.js';
import type { ProcessSpec } from '../targets/local/process-spec.js';

export const LOCAL_COMMAND_ANNOTATION = 'autoscaling.tide.dev/local-command';

export interface TemplateOwner {
  kind: string;
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  source: SourceLocation;
}

export interface ProcessTemplate {
  makeSpec(podName: string): ProcessSpec;
  warnings: string[];
}

function localCommand(
  owner: TemplateOwner,
  path: string,
): { command?: string[]; issue?: ManifestIssue } {
  const raw = owner.metadata.annotations[LOCAL_COMMAND_ANNOTATION];
  if (raw === undefined) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
      return { command: v };
  } catch {
    // fall through to the issue below
  }
  return {
    issue: {
      path: `${path}metadata.annotations["${LOCAL_COMMAND_ANNOTATION}"]`,
      message: `must be a JSON array of strings, e.g. '["python3", "worker.py"]', got ${JSON.stringify(raw)}`,
      severity: 'error',
    },
  };
}

/**
 * What the runtime adds to every replica's and job's environment, under the container's own env
 * (which wins on a clash): `HOSTNAME` is the pod name, as the kubelet sets it; the grace lets a
 * worker finish or hand back its work before the SIGKILL that ends it (tide's Celery worker
 * reads it); the supervisor pid lets a worker notice that tide died without stopping it.
 */
export function runtimeEnv(podName: string, graceSeconds: number): Record<string, string> {
  return {
    HOSTNAME: podName,
    TIDE_TERMINATION_GRACE_SECONDS: String(graceSeconds),
    TIDE_SUPERVISOR_PID: String(process.pid),
  };
}

/**
 * Builds the template, or throws a ManifestError naming the field when the container has no
 * command to run locally.
 */
export function processTemplate(
  owner: TemplateOwner,
  template: PodTemplateSpec,
  templatePath: string,
  set: ManifestSet,
): ProcessTemplate {
  const ref = { file: owner.source.file, object: objectName(owner) };
  const containers: Container[] = template.spec.containers;
  const container = containers[0];
  const cPath = `${templatePath}.spec.containers[0]`;
  if (!container) {
    throw new ManifestError(ref, [
      {
        path: `${templatePath}.spec.containers`,
        message: 'needs at least one container',
        severity: 'error',
      },
    ]);
  }
  const override = localCommand(owner, '');
  if (override.issue) throw new ManifestError(ref, [override.issue]);
  const argv = override.command ?? [...(container.command ?? []), ...(container.args ?? [])];
  if (!override.command && !container.command?.length) {
    throw new ManifestError(ref, [
      {
        path: `${cPath}.command`,
        message: `is required in local mode: tide runs the container's command as a process and never runs the image${
          container.image ? ` "${container.image}"` : ''
        }; add a command, or the annotation ${LOCAL_COMMAND_ANNOTATION}: '["prog", "arg"]'`,
        severity: 'error',
      },
    ]);
  }
  const warnings: string[] = [];
  if (containers.length > 1) {
    warnings.push(
      `${objectName(owner)}: local mode runs only the first container (${container.name}); ${containers.length - 1} other(s) not run`,
    );
  }
  if (template.spec.initContainers?.length) {
    warnings.push(`${objectName(owner)}: initContainers are not run in local mode`);
  }
  const base = dirname(resolve(owner.source.file));
  const cwd = container.workingDir ? resolve(base, container.workingDir) : base;
  const grace = terminationGracePeriodSeconds(template.spec);
  return {
    warnings,
    makeSpec(podName: string): ProcessSpec {
      const { env, issues } = resolveContainerEnv(container, owner.metadata.namespace, set, {
        podName,
        pathPrefix: `${cPath}.`,
      });
      const errors = issues.filter((i) => i.severity === 'error');
      if (errors.length) throw new ManifestError(ref, errors);
      return {
        command: argv,
        cwd,
        env: { ...runtimeEnv(podName, grace), ...env },
        terminationGracePeriodSeconds: grace,
      };
    },
  };
}
