/**
 * OAuth2 client credentials for the RabbitMQ management API, as KEDA's rabbitmq scaler gets
 * them with golang.org/x/oauth2/clientcredentials: POST `grant_type=client_credentials` to
 * `oauthTokenURI` (client id and secret in a Basic header, retried in the form if the server
 * rejects that), cache the bearer token until 10 s before it expires.
 */
import type { Secret } from '../../secret.js';

export interface OAuthConfig {
  tokenUri: string;
  clientId: string;
  clientSecret: Secret;
  scopes: readonly string[];
  /** Extra form parameters (`endpointParams`, a URL query string). */
  endpointParams: URLSearchParams;
}

/** golang oauth2's expiryDelta: refresh this long before the token expires. */
const EXPIRY_DELTA_MS = 10_000;

export class TokenSource {
  #token: { value: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(
    private readonly cfg: OAuthConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token, fetched when missing or about to expire. */
  token(signal: AbortSignal): Promise<string> {
    const t = this.#token;
    if (t && t.expiresAt - EXPIRY_DELTA_MS > this.now()) return Promise.resolve(t.value);
    this.#pending ??= this.#fetch(signal).finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #fetch(signal: AbortSignal): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.cfg.scopes.length > 0) form.set('scope', this.cfg.scopes.join(' '));
    for (const [k, v] of this.cfg.endpointParams) form.append(k, v);
    const id = encodeURIComponent(this.cfg.clientId);
    const secret = encodeURIComponent(this.cfg.clientSecret.reveal());
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    let res = await fetch(this.cfg.tokenUri, {
      method: 'POST',
      signal,
      headers: {
        ...headers,
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: form.toString(),
    });
    if (res.status === 400 || res.status === 401) {
      // oauth2's auto-detect: some servers want the credentials in the form instead.
      const inForm = new URLSearchParams(form);
      inForm.set('client_id', this.cfg.clientId);
      inForm.set('client_secret', this.cfg.clientSecret.reveal());
      res = await fetch(this.cfg.tokenUri, {
        method: 'POST',
        signal,
        headers,
        body: inForm.toString(),
      });
    }
    const text = await res.text();
    if (!res.ok)
      throw new Error(
        `OAuth2 token request to ${this.cfg.tokenUri} failed with status ${res.status}`,
      );
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`OAuth2 token endpoint ${this.cfg.tokenUri} did not answer JSON`);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new Error(`OAuth2 token endpoint ${this.cfg.tokenUri} returned no access_token`);
    const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : Infinity;
    this.#token = { value: body.access_token, expiresAt: this.now() + ttl };
    return body.access_token;
  }
}
