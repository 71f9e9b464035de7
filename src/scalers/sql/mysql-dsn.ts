/**
 * Go MySQL DSNs (go-sql-driver/mysql, what KEDA's `connectionString` is):
 * `[user[:password]@][net[(addr)]]/dbname[?param=value&...]`, parsed with the driver's own
 * algorithm (last `/`, last `@` before it, first `:` for the password), and formatted the way
 * `mysql.Config.FormatDSN` writes KEDA's built DSN.
 */

export interface MysqlDsn {
  user: string;
  password: string;
  /** `tcp` or `unix`. */
  net: string;
  /** `host:port` for tcp, a socket path for unix. */
  addr: string;
  dbName: string;
  params: Map<string, string>;
}

/** Parses like go-sql-driver ParseDSN; throws with the driver's messages. */
export function parseMysqlDsn(dsn: string): MysqlDsn {
  const out: MysqlDsn = {
    user: '',
    password: '',
    net: '',
    addr: '',
    dbName: '',
    params: new Map(),
  };
  const slash = dsn.lastIndexOf('/');
  if (slash < 0) {
    if (dsn.length > 0)
      throw new Error('invalid DSN: missing the slash separating the database name');
    return normalize(out);
  }
  if (slash > 0) {
    const left = dsn.slice(0, slash);
    const at = left.lastIndexOf('@');
    if (at >= 0) {
      const cred = left.slice(0, at);
      const colon = cred.indexOf(':');
      out.user = colon < 0 ? cred : cred.slice(0, colon);
      out.password = colon < 0 ? '' : cred.slice(colon + 1);
    }
    const proto = left.slice(at + 1);
    const paren = proto.indexOf('(');
    if (paren >= 0) {
      if (!proto.endsWith(')')) {
        throw new Error(
          proto.slice(paren + 1).includes(')')
            ? 'invalid DSN: did you forget to escape a param value?'
            : 'invalid DSN: network address not terminated (missing closing brace)',
        );
      }
      out.addr = proto.slice(paren + 1, -1);
      out.net = proto.slice(0, paren);
    } else out.net = proto;
  }
  const rest = dsn.slice(slash + 1);
  const q = rest.indexOf('?');
  out.dbName = decodeURIComponent(q < 0 ? rest : rest.slice(0, q));
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq < 0) throw new Error(`invalid DSN: invalid parameter "${pair}" (no value)`);
      out.params.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
    }
  }
  return normalize(out);
}

/** The driver's defaults: tcp to 127.0.0.1:3306, port 3306 appended when missing. */
function normalize(d: MysqlDsn): MysqlDsn {
  if (d.net === '') d.net = 'tcp';
  if (d.addr === '') d.addr = d.net === 'unix' ? '/tmp/mysql.sock' : '127.0.0.1:3306';
  else if (d.net === 'tcp' && !/^\[.*\]:\d*$|^[^:]*:\d*$/.test(d.addr))
    d.addr = d.addr.includes(':') ? `[${d.addr}]:3306` : `${d.addr}:3306`;
  return d;
}

/** `user:pass@tcp(host:port)/db`, as KEDA builds the DSN from parts. */
export function formatMysqlDsn(p: {
  user: string;
  password: string;
  host: string;
  port: string;
  dbName: string;
}): string {
  const cred = p.password ? `${p.user}:${p.password}` : p.user;
  return `${cred ? `${cred}@` : ''}tcp(${p.host}:${p.port})/${p.dbName}`;
}

/** KEDA parseMySQLDbNameFromConnectionStr: the text after the last `/` (query string included). */
export function dbNameFromConnectionString(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}

/** Splits `host:port` / `[v6]:port` into parts. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[(.*)\]:(\d*)$/.exec(addr) ?? /^(.*):(\d*)$/.exec(addr);
  if (!m) return { host: addr, port: 3306 };
  return { host: m[1] ?? '', port: m[2] ? Number(m[2]) : 3306 };
}
