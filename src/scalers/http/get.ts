/**
 * One HTTP GET for the HTTP-reading scalers (`prometheus`, `metrics-api`), with what KEDA's
 * `CreateHTTPClient` + auth round-trippers give: a timeout, `unsafeSsl`, a client certificate
 * and CA, and the request-level auth of {@link HttpAuth}. node:http(s) rather than fetch
 * because fetch cannot take per-request TLS options.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpAuth } from './auth.js';
import type { TokenSource } from '../rabbitmq/oauth.js';

/** KEDA_HTTP_DEFAULT_TIMEOUT: 3000 ms. */
export const DEFAULT_HTTP_TIMEOUT_MS = 3000;

export interface HttpGetOptions {
  headers?: readonly (readonly [string, string])[];
  auth: HttpAuth;
  /** Applies the `apiKey` mode (metrics-api does; KEDA's prometheus scaler ignores it). */
  applyApiKey: boolean;
  tokens?: TokenSource;
  unsafeSsl: boolean;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** The URL with the apiKey query parameter set when that mode asks for it. */
export function withApiKey(url: URL, auth: HttpAuth, apply: boolean): URL {
  const k = auth.apiKey;
  if (!apply || !k || k.method !== 'query') return url;
  const u = new URL(url);
  u.searchParams.set(k.paramName ?? 'api_key', k.key.reveal());
  return u;
}

export async function httpGet(url: URL, o: HttpGetOptions): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of o.headers ?? []) headers[k] = v;
  const a = o.auth;
  if (a.bearerToken) headers.authorization = `Bearer ${a.bearerToken.reveal()}`;
  if (a.basic)
    headers.authorization = `Basic ${Buffer.from(`${a.basic.username}:${a.basic.password.reveal()}`).toString('base64')}`;
  if (a.custom) headers[a.custom.header] = a.custom.value.reveal();
  if (o.tokens) headers.authorization = `Bearer ${await o.tokens.token(o.signal)}`;
  if (o.applyApiKey && a.apiKey && a.apiKey.method === 'header')
    headers[a.apiKey.paramName ?? 'X-API-KEY'] = a.apiKey.key.reveal();
  const target = withApiKey(url, a, o.applyApiKey);
  const https = target.protocol === 'https:';
  const options = {
    method: 'GET',
    headers,
    signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
    ...(https
      ? {
          rejectUnauthorized: !o.unsafeSsl,
          ...(a.tls?.ca ? { ca: a.tls.ca } : {}),
          ...(a.tls?.cert ? { cert: a.tls.cert } : {}),
          ...(a.tls?.key ? { key: a.tls.key.reveal() } : {}),
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(target, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', (e: Error) =>
      reject(
        e.name === 'AbortError' && !o.signal.aborted
          ? new Error(`no answer within ${o.timeoutMs} ms`)
          : e,
      ),
    );
    req.end();
  });
}
