/**
 * tide's error classes. Each has a stable `code` (documented in docs/errors.md) so that tools
 * and tests match on codes, not on message text. Messages never contain secret values.
 */

export type ErrorCode =
  | 'TIDE_MANIFEST_INVALID'
  | 'TIDE_SCALER_FAILED'
  | 'TIDE_TARGET_FAILED'
  | 'TIDE_FORMULA_FAILED'
  | 'TIDE_SIMULATION_INVALID'
  | 'TIDE_ALREADY_RUNNING'
  | 'TIDE_USAGE';

export abstract class TideError extends Error {
  abstract readonly code: ErrorCode;
}

/** One problem in a manifest: the field path (`spec.triggers[0].metadata.listLength`) and what is wrong. */
export interface ManifestIssue {
  /** Dotted path with `[i]` indices, relative to the object; empty for the whole object or file. */
  path: string;
  message: string;
  /** 1-based line and column in the file, where the YAML node is known. */
  line?: number;
  col?: number;
  severity: 'error' | 'warning';
}

/** Where a manifest object came from and which object it is. */
export interface ObjectRef {
  file: string;
  /** `Kind namespace/name`, or `Kind` alone when the object has no name yet, or '' for file-level issues. */
  object: string;
}

export function formatIssue(ref: ObjectRef, issue: ManifestIssue): string {
  const where = issue.line !== undefined ? `${ref.file}:${issue.line}:${issue.col ?? 1}` : ref.file;
  const obj = ref.object ? ` ${ref.object}:` : '';
  const path = issue.path ? ` ${issue.path}:` : '';
  return `${where}:${obj}${path} ${issue.message}`;
}

/** A manifest (or a whole file) that does not validate; carries every issue found, not only the first. */
export class ManifestError extends TideError {
  override readonly name = 'ManifestError';
  readonly code = 'TIDE_MANIFEST_INVALID' as const;
  constructor(
    readonly ref: ObjectRef,
    readonly issues: readonly ManifestIssue[],
  ) {
    super(issues.map((i) => formatIssue(ref, i)).join('\n'));
  }
}

/** A trigger's scaler could not read its source (down, bad credentials, bad key type...). */
export class ScalerError extends TideError {
  override readonly name = 'ScalerError';
  readonly code = 'TIDE_SCALER_FAILED' as const;
  constructor(
    /** e.g. `ScaledObject default/redis-so trigger 0 (redis)` */
    readonly trigger: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${trigger}: ${message}`, options);
  }
}

/** The target (process pool, job runner, Kubernetes /scale) could not apply a decision. */
export class TargetError extends TideError {
  override readonly name = 'TargetError';
  readonly code = 'TIDE_TARGET_FAILED' as const;
  constructor(
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${message}`, options);
  }
}

export class UsageError extends TideError {
  override readonly name = 'UsageError';
  readonly code = 'TIDE_USAGE' as const;
}

/** Extracts a one-line message from anything thrown, for logs and status. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
