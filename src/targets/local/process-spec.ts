import { randomInt } from 'node:crypto';
import { reveal, type MaybeSecret } from '../../secret.js';

/**
 * One container, resolved for local mode: what to run, where, with which env. Built by whoever
 * reads the Deployment / job template (env from `value`, `secretKeyRef`, `configMapKeyRef`,
 * `envFrom`, `fieldRef`), once per replica or job because `metadata.name` differs each time.
 */
export interface ProcessSpec {
  /** `command` followed by `args`. `$(VAR)` references are expanded from `env` at spawn, as Kubernetes does. */
  command: string[];
  /** `workingDir`; defaults to the current directory of tide. */
  cwd?: string;
  /** The container's env. Secret values stay wrapped until the process is spawned. */
  env: Record<string, MaybeSecret>;
  /** @default 30 */
  terminationGracePeriodSeconds?: number;
  /**
   * Whether the child also gets tide's own environment underneath `env` (PATH, HOME...).
   * A pod starts with an empty environment, but a local command usually needs PATH to find
   * `node` or `python`, so this defaults to true.
   * @default true
   */
  inheritEnv?: boolean;
}

export const DEFAULT_GRACE_SECONDS = 30;

/** Kubernetes' `utilrand.String` alphabet: no vowels (no words by accident), no 0/1/3 (look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * `<prefix>-<5 random chars>`, the way a ReplicaSet or `generateName` names a pod; retries on the
 * rare clash with a name in `taken`.
 */
export function generateName(prefix: string, taken: (name: string) => boolean): string {
  for (;;) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
    const name = `${prefix}-${suffix}`;
    if (!taken(name)) return name;
  }
}

/**
 * Kubernetes' dependent-variable expansion (`$(VAR)` in command, args and later env values):
 * a defined variable is replaced, an undefined reference is left as written, and `$$` escapes
 * one `$` (so `$$(VAR)` gives the literal `$(VAR)`).
 */
export function expandVars(s: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch !== '$' || i + 1 >= s.length) {
      out += ch;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = s.indexOf(')', i + 2);
      if (close < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? s.slice(i, close + 1);
      i = close + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

let inherited:
  { env: Record<string, string>; source: NodeJS.ProcessEnv; path: string | undefined } | undefined;

/**
 * tide's own environment as a plain object, copied once: each read of `process.env` is a
 * getenv call, and copying it per spawn cost ~0.7 ms a process (a tenth of a 1,000-job burst).
 * Copied again when `process.env` is replaced or PATH changes (`tide up` puts itself first
 * on PATH at start: tide-on-path.ts); tide changes no other variable of its own.
 */
function inheritedEnv(): Record<string, string> {
  const path = process.env.PATH;
  if (inherited?.source !== process.env || inherited.path !== path) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    inherited = { env, source: process.env, path };
  }
  return inherited.env;
}

/**
 * The environment and argv handed to `spawn`. This is the only place container env values
 * are revealed; the result must never be logged.
 */
export function materialize(spec: ProcessSpec): { argv: string[]; env: NodeJS.ProcessEnv } {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env)) own[k] = reveal(v);
  const lookup = (name: string): string | undefined => own[name];
  const env: NodeJS.ProcessEnv =
    spec.inheritEnv === false ? { ...own } : { ...inheritedEnv(), ...own };
  return { argv: spec.command.map((a) => expandVars(a, lookup)), env };
}

/** The command as written in the manifest (unexpanded, so no secret can leak), for messages. */
export function describeCommand(spec: ProcessSpec): string {
  return JSON.stringify(spec.command);
}
