import type { Secret } from '../../secret.js';

/**
 * Replaces any secret's value that a client library echoed into an error message (defence in
 * depth: messages are built without secrets, but a driver may quote a URI it was given).
 */
export function scrub(message: string, secrets: readonly (Secret | undefined)[]): string {
  let out = message;
  for (const s of secrets) {
    const v = s?.reveal();
    if (v && v.length >= 3) out = out.split(v).join('[redacted]');
  }
  return out;
}
