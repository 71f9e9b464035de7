/**
 * KEDA's shared HTTP authentication block (`pkg/scalers/authentication`, `Config`), used by the
 * `prometheus` and `metrics-api` triggers: `authModes` (alias `authMode`) from metadata or the
 * TriggerAuthentication picks any of `basic`, `bearer`, `tls`, `custom`, `oauth`, `apiKey`
 * (bearer, basic and oauth exclude each other), and each mode's parameters come from the
 * TriggerAuthentication (apiKey's also from metadata). Declared once here and spread into
 * each scaler's metadata schema.
 */
import { z } from 'zod';
import { Secret } from '../../secret.js';
import type { BuildContext } from '../core/define.js';
import { field } from '../core/define.js';
import { list, oneOf, secret, text, typeLabels } from '../core/params.js';
import type { OAuthConfig } from '../rabbitmq/oauth.js';

const AUTH = ['auth'] as const;
const META_AUTH = ['metadata', 'auth'] as const;
export const AUTH_MODES = ['apiKey', 'basic', 'tls', 'bearer', 'custom', 'oauth'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** The metadata fields of KEDA's authentication.Config, to spread into a scaler's z.object. */
export function httpAuthFields() {
  return {
    authModes: field(list().optional(), {
      doc: 'Comma list of `basic`, `bearer`, `tls`, `custom`, `oauth`, `apiKey` (bearer, basic and oauth exclude each other).',
      from: META_AUTH,
      aliases: ['authMode'],
    }),
    bearerToken: field(secret().optional(), {
      doc: 'Token for `bearer` (sent as `Authorization: Bearer <token>`).',
      from: AUTH,
      secret: true,
      aliases: ['token'],
    }),
    username: field(text().optional(), { doc: 'User for `basic`.', from: AUTH }),
    password: field(secret().optional(), {
      doc: 'Password for `basic` (may be empty).',
      from: AUTH,
      secret: true,
    }),
    cert: field(text().optional(), { doc: 'Client certificate (PEM) for `tls`.', from: AUTH }),
    key: field(secret().optional(), {
      doc: 'Client key (PEM) for `tls`.',
      from: AUTH,
      secret: true,
    }),
    ca: field(text().optional(), {
      doc: 'CA certificate (PEM) that signs the server certificate.',
      from: AUTH,
    }),
    customAuthHeader: field(text().optional(), { doc: 'Header name for `custom`.', from: AUTH }),
    customAuthValue: field(secret().optional(), {
      doc: 'Header value for `custom`.',
      from: AUTH,
      secret: true,
    }),
    oauthTokenURI: field(text().optional(), {
      doc: 'Token endpoint for `oauth` (client credentials).',
      from: AUTH,
    }),
    clientID: field(text().optional(), { doc: 'Client id for `oauth`.', from: AUTH }),
    clientSecret: field(secret().optional(), {
      doc: 'Client secret for `oauth`.',
      from: AUTH,
      secret: true,
    }),
    scopes: field(list().optional(), { doc: 'Comma list of scopes for `oauth`.', from: AUTH }),
    endpointParams: field(text().optional(), {
      doc: 'Extra token request parameters for `oauth`, as a URL query string (`a=1&b=2`).',
      from: AUTH,
    }),
    apiKey: field(secret().optional(), {
      doc: 'Key for `apiKey`.',
      from: META_AUTH,
      secret: true,
    }),
    method: field(oneOf(['header', 'query']).default('header'), {
      doc: 'How `apiKey` is sent: a header or a query parameter.',
      from: META_AUTH,
    }),
    keyParamName: field(text().optional(), {
      doc: 'Header (default `X-API-KEY`) or query parameter (default `api_key`) carrying `apiKey`.',
      from: META_AUTH,
    }),
  };
}

type AuthFields = z.output<z.ZodObject<ReturnType<typeof httpAuthFields>>>;

/** What a request needs to authenticate; secrets stay Secrets until the request is built. */
export interface HttpAuth {
  modes: ReadonlySet<AuthMode>;
  bearerToken?: Secret;
  basic?: { username: string; password: Secret };
  tls?: { cert?: string; key?: Secret; ca?: string };
  custom?: { header: string; value: Secret };
  oauth?: OAuthConfig;
  apiKey?: { key: Secret; method: 'header' | 'query'; paramName?: string };
}

/** KEDA Config.Validate plus the enum and exclusive-set checks of its typed config. */
export function buildHttpAuth(f: AuthFields, ctx: BuildContext): HttpAuth {
  const modes = new Set<AuthMode>();
  for (const m of f.authModes ?? []) {
    if ((AUTH_MODES as readonly string[]).includes(m)) modes.add(m as AuthMode);
    else ctx.issue('authModes', `must be a list of ${AUTH_MODES.join(', ')}, got "${m}"`);
  }
  const exclusive = (['bearer', 'basic', 'oauth'] as const).filter((m) => modes.has(m));
  if (exclusive.length > 1)
    ctx.issue('authModes', `${exclusive.join(' and ')} cannot be used together`);
  const auth: HttpAuth = { modes };
  if (modes.has('bearer')) {
    if (!f.bearerToken || f.bearerToken.isEmpty)
      ctx.issue('bearerToken', 'bearer token is required when bearer auth is enabled');
    else auth.bearerToken = f.bearerToken;
  }
  if (modes.has('basic')) {
    if (!f.username) ctx.issue('username', 'username is required when basic auth is enabled');
    else auth.basic = { username: f.username, password: f.password ?? new Secret('') };
  }
  if (f.ca || modes.has('tls')) {
    // KEDA requires cert and key for `tls` (ca is optional); a lone `ca` trusts a private server CA.
    if (modes.has('tls') && (!f.cert || !f.key))
      ctx.issue('cert', 'cert and key are required when tls auth is enabled');
    auth.tls = {
      ...(f.cert ? { cert: f.cert } : {}),
      ...(f.key ? { key: f.key } : {}),
      ...(f.ca ? { ca: f.ca } : {}),
    };
  }
  if (modes.has('custom')) {
    if (!f.customAuthHeader || !f.customAuthValue)
      ctx.issue(
        'customAuthHeader',
        'customAuthHeader and customAuthValue are required when custom auth is enabled',
      );
    else auth.custom = { header: f.customAuthHeader, value: f.customAuthValue };
  }
  if (modes.has('oauth')) {
    // As KEDA: the client secret may be empty (a public client).
    if (!f.oauthTokenURI || !f.clientID)
      ctx.issue('oauthTokenURI', 'oauthTokenURI and clientID are required when oauth is enabled');
    else
      auth.oauth = {
        tokenUri: f.oauthTokenURI,
        clientId: f.clientID,
        clientSecret: f.clientSecret ?? new Secret(''),
        scopes: f.scopes ?? [],
        endpointParams: new URLSearchParams(f.endpointParams ?? ''),
      };
  }
  if (modes.has('apiKey')) {
    if (!f.apiKey) ctx.issue('apiKey', 'apiKey is required when apiKey auth is enabled');
    else
      auth.apiKey = {
        key: f.apiKey,
        method: f.method,
        ...(f.keyParamName ? { paramName: f.keyParamName } : {}),
      };
  }
  return auth;
}

/** The secrets an auth block holds, for scrubbing messages. */
export function authSecrets(a: HttpAuth): Secret[] {
  return [
    a.bearerToken,
    a.basic?.password,
    a.tls?.key,
    a.custom?.value,
    a.oauth?.clientSecret,
    a.apiKey?.key,
  ].filter((s): s is Secret => s !== undefined);
}

/**
 * KEDA's `map[string]string` metadata (`customHeaders`, `queryParameters`): `k=v,k2=v2`, each
 * key and value trimmed. A pair without exactly one `=` is an error, as in KEDA's typed config.
 */
export function keyValues() {
  const schema = z.string().transform((s, ctx) => {
    const out: [string, string][] = [];
    for (const pair of s.split(',')) {
      if (pair.trim() === '') continue;
      const kv = pair.split('=');
      if (kv.length !== 2) {
        ctx.addIssue({ code: 'custom', message: `expected key=value pairs, got "${pair}"` });
        return z.NEVER;
      }
      out.push([(kv[0] ?? '').trim(), (kv[1] ?? '').trim()]);
    }
    return out;
  });
  typeLabels.add(schema, { type: 'map (`k=v,k2=v2`)' });
  return schema;
}
