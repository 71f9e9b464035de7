/**
 * The `admission.k8s.io/v1` AdmissionReview exchange (what the API server POSTs to a
 * validating webhook and what it expects back), kept pure so it is tested without sockets.
 * A refusal carries KEDA's status (403 Forbidden, as controller-runtime's `Denied`) with every
 * field path in the message, which the API server prefixes with
 * `admission webhook "<name>" denied the request: `, and again as `details.causes`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ADMITTED_KINDS, type AdmittedKind, type Verdict } from './admission.js';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation: string;
  name?: string;
  namespace?: string;
  object?: KubernetesObject;
  oldObject?: KubernetesObject;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: {
    uid: string;
    allowed: boolean;
    status?: {
      code: number;
      reason: string;
      message: string;
      details?: { causes: { field: string; message: string; reason: string }[] };
    };
    warnings?: string[];
  };
}

/** The request inside a review body, or why it is not one. */
export function readReview(
  body: unknown,
): { ok: true; request: AdmissionRequest } | { ok: false; error: string } {
  const b = body as {
    apiVersion?: unknown;
    kind?: unknown;
    request?: Partial<AdmissionRequest>;
  } | null;
  if (!b || typeof b !== 'object' || b.kind !== 'AdmissionReview')
    return { ok: false, error: 'expected an AdmissionReview' };
  if (b.apiVersion !== 'admission.k8s.io/v1')
    return {
      ok: false,
      error: `expected admission.k8s.io/v1, got ${JSON.stringify(b.apiVersion)}`,
    };
  const r = b.request;
  if (!r || typeof r.uid !== 'string' || !r.kind || typeof r.operation !== 'string')
    return { ok: false, error: 'the AdmissionReview has no request (uid, kind, operation)' };
  return { ok: true, request: r as AdmissionRequest };
}

/** The kind tide validates, when the request is for one of keda.sh's. */
export function admittedKind(r: AdmissionRequest): AdmittedKind | undefined {
  if (r.kind.group !== 'keda.sh') return undefined;
  return (ADMITTED_KINDS as readonly string[]).includes(r.kind.kind)
    ? (r.kind.kind as AdmittedKind)
    : undefined;
}

const line = (i: { path: string; message: string }) =>
  i.path ? `${i.path}: ${i.message}` : i.message;

/** The response for a verdict. Warnings are sent both when allowed and when refused. */
export function respond(uid: string, v: Verdict): AdmissionResponse {
  const warnings = v.warnings.map(line);
  const response: AdmissionResponse['response'] = { uid, allowed: v.errors.length === 0 };
  if (v.errors.length) {
    response.status = {
      code: 403,
      reason: 'Forbidden',
      message: v.errors.map(line).join('; '),
      details: {
        causes: v.errors.map((e) => ({
          field: e.path,
          message: e.message,
          reason: 'FieldValueInvalid',
        })),
      },
    };
  }
  if (warnings.length) response.warnings = warnings;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
