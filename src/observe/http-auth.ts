/**
 * The access rule shared by tide's HTTP endpoints (`/metrics`, the dashboard): loopback by
 * default; any other address is reachable by others, so it requires a token. Tokens are
 * compared in constant time (over SHA-256 digests, so lengths do not leak either) and are
 * never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { TideError } from '../errors.js';
import type { Secret } from '../secret.js';

/** A listen address or port that tide refuses before binding. */
export class HttpConfigError extends TideError {
  override readonly name: string = 'HttpConfigError';
  readonly code = 'TIDE_USAGE' as const;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Flag names for messages, e.g. `--metrics-host`, `--metrics-token`, `TIDE_METRICS_TOKEN`. */
export interface EndpointFlags {
  readonly host: string;
  readonly port: string;
  readonly token: string;
  readonly env: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks a presented token against the configured one without leaking it through timing. */
export class TokenCheck {
  readonly #want: Buffer;
  constructor(token: Secret) {
    this.#want = digest(token.reveal());
  }
  matches(presented: string | undefined): boolean {
    return presented !== undefined && timingSafeEqual(digest(presented), this.#want);
  }
}

/**
 * Validates where an endpoint will listen and returns the token check to apply, or
 * undefined when none is configured (loopback only). Throws HttpConfigError naming the flags.
 */
export function accessRule(
  host: string,
  port: number,
  token: Secret | undefined,
  flags: EndpointFlags,
): TokenCheck | undefined {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new HttpConfigError(`${flags.port}: expected a port 0-65535, got ${port}`);
  const t = token && !token.isEmpty ? token : undefined;
  if (!isLoopback(host) && !t)
    throw new HttpConfigError(
      `${flags.host} ${host} is reachable from other machines: give a token with ${flags.token} or ${flags.env}, or keep 127.0.0.1`,
    );
  return t ? new TokenCheck(t) : undefined;
}

/**
 * DNS-rebinding protection for an endpoint on loopback without a token: a page on evil.example
 * whose name is made to resolve to 127.0.0.1 reaches it from the browser with
 * `Host: evil.example` and could read what it serves (replica output). Only Host names of this
 * machine pass: `localhost`, `127.0.0.1`, `[::1]` (any port) and the configured host. With a
 * token the token decides. A request without Host (HTTP/1.0) cannot come from a browser.
 */
export function hostGuard(
  listenHost: string,
  check: TokenCheck | undefined,
): (hostHeader: string | undefined) => boolean {
  if (check) return () => true;
  const allowed = new Set(['localhost', '127.0.0.1', '[::1]', hostName(listenHost)]);
  return (header) => header === undefined || allowed.has(hostName(header));
}

/** The name part of a Host header or a listen address, lower case, IPv6 bracketed. */
function hostName(hostPort: string): string {
  const h = hostPort.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1) || h;
  if (isIP(h) === 6) return `[${h}]`;
  const colon = h.lastIndexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** The answer to a request whose Host is not this machine (see {@link hostGuard}). */
export const FORBIDDEN_HOST =
  'forbidden: this endpoint answers requests addressed to localhost, 127.0.0.1 or [::1] only (DNS rebinding protection); use one of them, or set a token to serve other names\n';

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer (.+)$/i.exec(header ?? '')?.[1];
}

/** `http://host:port` with IPv6 literals bracketed. */
export function baseUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
