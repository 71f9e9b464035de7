/**
 * metrics-api `valueLocation` for each `format`, as KEDA reads it:
 * - json: a GJSON path. The subset users write: dotted keys (`a.b`), array indexes (`a.0.b`),
 *   `#` for an array's length (`items.#`), `\.` for a literal dot, and `*`/`?` wildcards in a key
 *   (first match, as GJSON). Modifiers (`@reverse`), queries (`#(…)`) and multipaths are not.
 * - yaml, xml: kedautil.GetValueByPath: dot-separated keys, numeric segments index arrays.
 * - prometheus: a metric selector `name{label="v",…}` over the text exposition format.
 * A number is the value; a string is parsed as a Kubernetes quantity; anything else is an error.
 */
import { parse as parseYaml } from 'yaml';
import { parseQuantity } from '../resource/quantity.js';

export type ApiFormat = 'json' | 'xml' | 'yaml' | 'prometheus';

export function valueFromResponse(body: string, location: string, format: ApiFormat): number {
  switch (format) {
    case 'json':
      return asNumber(gjsonGet(parseJson(body), location));
    case 'yaml':
      return asNumber(pathGet(parseYaml(body) as unknown, location));
    case 'xml':
      return asNumber(pathGet(parseXml(body), location));
    case 'prometheus':
      return promTextValue(body, location);
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new Error('the response is not valid JSON');
  }
}

/** GJSON's type names, for KEDA's message. */
function typeName(v: unknown): string {
  if (v === undefined || v === null) return 'Null';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return 'Number';
  if (typeof v === 'string') return 'String';
  return 'JSON';
}

function asNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const q = parseQuantity(v);
    if (q === undefined)
      throw new Error(
        `valueLocation must point to value of type number or a string representing a Quantity got: '${v}'`,
      );
    return q;
  }
  throw new Error(
    `valueLocation must point to value of type number or a string representing a Quantity got: '${typeName(v)}'`,
  );
}

/** Splits a GJSON path on unescaped dots, unescaping `\x`. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i += 1) {
    const c = path[i] ?? '';
    if (c === '\\' && i + 1 < path.length) {
      cur += path[i + 1];
      i += 1;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function wildcard(pattern: string): RegExp | undefined {
  if (!/[*?]/.test(pattern)) return undefined;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

export function gjsonGet(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of splitPath(path)) {
    if (Array.isArray(cur)) {
      if (seg === '#') cur = cur.length;
      else if (/^\d+$/.test(seg)) cur = cur[Number(seg)];
      else return undefined;
    } else if (cur !== null && typeof cur === 'object') {
      const obj = cur as Record<string, unknown>;
      const re = wildcard(seg);
      if (re) {
        const k = Object.keys(obj).find((key) => re.test(key));
        cur = k === undefined ? undefined : obj[k];
      } else cur = Object.hasOwn(obj, seg) ? obj[seg] : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** kedautil.GetValueByPath: keys by dot, numeric segments index arrays; a miss is an error. */
export function pathGet(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg) || Number(seg) >= cur.length)
        throw new Error(`index ${seg} is not valid for an array of ${cur.length} at "${path}"`);
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else throw new Error(`key ${seg} not found in "${path}"`);
  }
  // YAML/XML scalars: YAML gives numbers; XML gives strings, read as quantities.
  return cur;
}

/**
 * A small XML reader to plain objects: the root element is the first key, an element with only
 * text is its (trimmed) text, repeated children become arrays, attributes are ignored.
 */
export function parseXml(body: string): Record<string, unknown> {
  const src = body
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!DOCTYPE[^>]*>/gi, '');
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  interface Node {
    name: string;
    children: [string, unknown][];
    text: string;
  }
  const root: Node = { name: '', children: [], text: '' };
  const stack: Node[] = [root];
  let last = 0;
  const top = () => stack[stack.length - 1] ?? root;
  for (let m = tag.exec(src); m; m = tag.exec(src)) {
    top().text += decodeEntities(src.slice(last, m.index));
    last = tag.lastIndex;
    if (m[5] !== undefined) {
      top().text += m[5];
      continue;
    }
    const [, close, name = '', , selfClose] = m;
    if (close) {
      const n = stack.pop();
      if (!n || n.name !== name) throw new Error(`malformed XML: unexpected </${name}>`);
      top().children.push([name, value(n)]);
    } else if (selfClose) top().children.push([name, '']);
    else stack.push({ name, children: [], text: '' });
  }
  if (stack.length !== 1) throw new Error('malformed XML: unclosed element');
  if (root.children.length === 0) throw new Error('the response is not XML');
  return value(root) as Record<string, unknown>;

  function value(n: Node): unknown {
    if (n.children.length === 0) return n.text.trim();
    const out: Record<string, unknown> = {};
    for (const [k, v] of n.children) {
      const prev = out[k];
      if (prev === undefined) out[k] = v;
      else if (Array.isArray(prev)) prev.push(v);
      else out[k] = [prev, v];
    }
    return out;
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** `name{a="x",b="y"}` → name and label matchers (equality only, as KEDA compares). */
export function parseSelector(sel: string): { name: string; labels: [string, string][] } {
  const m = /^\s*([A-Za-z_:][\w:]*)\s*(?:\{(.*)\})?\s*$/.exec(sel);
  if (!m) throw new Error(`valueLocation "${sel}" is not a metric selector like name{label="v"}`);
  const labels: [string, string][] = [];
  const body = m[2] ?? '';
  const re = /\s*([A-Za-z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
  let pos = 0;
  while (pos < body.trim().length) {
    re.lastIndex = pos;
    const l = re.exec(body);
    if (!l) throw new Error(`valueLocation "${sel}" has a label matcher that is not name="value"`);
    labels.push([l[1] ?? '', (l[2] ?? '').replace(/\\(.)/g, '$1')]);
    pos = re.lastIndex;
  }
  return { name: m[1] ?? '', labels };
}

/** The first sample of the selected metric in a Prometheus text exposition. */
export function promTextValue(body: string, location: string): number {
  const { name, labels } = parseSelector(location);
  let found = false;
  for (const raw of body.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    found = true;
    const have = new Map<string, string>();
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"/g))
      have.set(l[1] ?? '', (l[2] ?? '').replace(/\\(.)/g, '$1'));
    if (labels.every(([k, v]) => have.get(k) === v)) {
      const v = m[3] ?? '';
      if (/^[+-]?inf$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
      const n = Number(v);
      if (v.toLowerCase() !== 'nan' && Number.isNaN(n))
        throw new Error(`metric '${name}' has a value that is not a number: ${v}`);
      return n;
    }
  }
  if (!found) throw new Error(`metric '${name}' not found`);
  throw new Error(`value ${location} not found`);
}
