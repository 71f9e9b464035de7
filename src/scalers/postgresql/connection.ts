/**
 * PostgreSQL connection strings as KEDA builds and pgx reads them: libpq key/value
 * (`host=db port=5432 user=u dbname=d sslmode=disable password='p w'`) or a URL. node-postgres
 * parses only URLs, so key/value strings are parsed here into a pg config.
 */
import type { ClientConfig } from 'pg';

/** KEDA escapePostgreConnectionParameter: quote values holding whitespace, `'` or `\`. */
export function quoteLibpq(value: string): string {
  if (!/[\s'\\]/.test(value)) return value;
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The key/value string KEDA builds when no `connection` is given (password always last). */
export function buildLibpq(p: {
  host: string;
  port: string;
  userName: string;
  dbName: string;
  sslmode: string;
  password: string;
}): string {
  return [
    `host=${quoteLibpq(p.host)}`,
    `port=${quoteLibpq(p.port)}`,
    `user=${quoteLibpq(p.userName)}`,
    `dbname=${quoteLibpq(p.dbName)}`,
    `sslmode=${quoteLibpq(p.sslmode)}`,
    `password=${quoteLibpq(p.password)}`,
  ].join(' ');
}

/** libpq conninfo parsing: `key = value` pairs, values optionally single-quoted with `\` escapes. */
export function parseLibpq(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i] ?? '')) i += 1;
  };
  for (;;) {
    skipSpace();
    if (i >= s.length) return out;
    const keyStart = i;
    while (i < s.length && s[i] !== '=' && !/\s/.test(s[i] ?? '')) i += 1;
    const key = s.slice(keyStart, i);
    skipSpace();
    if (s[i] !== '=') throw new Error(`missing "=" after "${key}" in connection info string`);
    i += 1;
    skipSpace();
    let value = '';
    if (s[i] === "'") {
      i += 1;
      for (;;) {
        const c = s[i];
        if (c === undefined)
          throw new Error('unterminated quoted string in connection info string');
        i += 1;
        if (c === "'") break;
        if (c === '\\') {
          const next = s[i];
          if (next === undefined) throw new Error('unterminated quoted string');
          value += next;
          i += 1;
        } else value += c;
      }
    } else {
      while (i < s.length && !/\s/.test(s[i] ?? '')) {
        const c = s[i] ?? '';
        if (c === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
    }
    out.set(key, value);
  }
}

/** TLS as libpq's sslmode asks; `prefer`/`allow` are resolved at connect time (see postgresql.ts). */
export function sslFor(sslmode: string | undefined): ClientConfig['ssl'] {
  switch (sslmode) {
    case 'require':
    case 'prefer':
      // libpq does not verify the certificate for these modes.
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return true;
    case undefined:
    default:
      return false;
  }
}

/** A pg client config from a libpq key/value string or a URL; the sslmode asked for is returned too. */
export function pgConfig(connection: string): { config: ClientConfig; sslmode: string } {
  if (/^postgres(?:ql)?:\/\//.test(connection)) {
    const sslmode = new URL(connection).searchParams.get('sslmode') ?? 'prefer';
    return { config: { connectionString: connection }, sslmode };
  }
  const kv = parseLibpq(connection);
  const sslmode = kv.get('sslmode') ?? 'prefer';
  const port = kv.get('port');
  const timeout = kv.get('connect_timeout');
  const config: ClientConfig = {
    host: kv.get('host') ?? kv.get('hostaddr') ?? 'localhost',
    ...(port ? { port: Number(port) } : {}),
    ...(kv.has('user') ? { user: kv.get('user') } : {}),
    ...(kv.has('dbname') ? { database: kv.get('dbname') } : {}),
    ...(kv.has('password') ? { password: kv.get('password') } : {}),
    ...(kv.has('application_name') ? { application_name: kv.get('application_name') } : {}),
    ...(timeout ? { connectionTimeoutMillis: Number(timeout) * 1000 } : {}),
    ssl: sslFor(sslmode),
  };
  return { config, sslmode };
}

/** `host:port/dbname` for messages: never the user or the password. */
export function describePg(config: ClientConfig): string {
  if (config.connectionString) {
    try {
      const u = new URL(config.connectionString);
      return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      return 'the configured server';
    }
  }
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`;
}
