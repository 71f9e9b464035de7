/**
 * `tide explain <Kind/name>`: why an object has the replicas it has (or had, with `--at`), in
 * one paragraph. Asks the running `tide up` in this folder through its control socket; when
 * none runs, or the time asked for is older than its memory, reads `.tide/decisions/*.jsonl`.
 * With `--operator <url>`, asks a `tide operator`'s health port (`/decisions`) instead.
 */
import { queryControl } from '../local/control.js';
import { stateDir } from '../local/state-dir.js';
import { decisionsDir, readDecisionFiles } from '../observe/decision-log.js';
import { explainDecision } from '../observe/explain.js';
import { parseAt, parseObjectRef } from '../observe/object-ref.js';
import { refName, type DecisionsAnswer, type ObjectRef } from '../observe/types.js';

export interface ExplainOptions {
  namespace: string;
  at?: string;
  json?: boolean;
  /** Base URL of a `tide operator` health port, e.g. http://127.0.0.1:8081. */
  operator?: string;
}

type Source = 'tide up' | 'decision log files' | 'tide operator';

/** The operator's `/decisions` answer (it keeps its decision log in memory only). */
async function fromOperator(
  base: string,
  ref: ObjectRef,
  at: number | undefined,
): Promise<DecisionsAnswer> {
  const q = new URLSearchParams({ kind: ref.kind, namespace: ref.namespace, name: ref.name });
  if (at !== undefined) q.set('at', String(at));
  const url = `${base.replace(/\/+$/, '')}/decisions?${q.toString()}`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(
      `cannot reach the operator at ${base}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!res.ok)
    throw new Error(`the operator at ${base} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as DecisionsAnswer;
}

async function fromRunning(
  socket: string,
  ref: ObjectRef,
  at: number | undefined,
): Promise<DecisionsAnswer | undefined> {
  const q = new URLSearchParams({ kind: ref.kind, namespace: ref.namespace, name: ref.name });
  if (at !== undefined) q.set('at', String(at));
  try {
    return (await queryControl(socket, `/decisions?${q.toString()}`)) as DecisionsAnswer;
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('no tide up is running')) return undefined;
    throw e;
  }
}

export async function runExplain(object: string, opts: ExplainOptions): Promise<number> {
  try {
    const ref = parseObjectRef(object, opts.namespace);
    const at = opts.at !== undefined ? parseAt(opts.at) : undefined;
    const dir = stateDir();
    if (opts.operator !== undefined) {
      const answer = await fromOperator(opts.operator, ref, at);
      return report(ref, at, answer, 'tide operator', opts, dir.root);
    }
    let answer = await fromRunning(dir.controlSocket, ref, at);
    let source: Source = 'tide up';
    const tooOld =
      answer?.oldest !== undefined && at !== undefined && at < Date.parse(answer.oldest);
    if (!answer || answer.records.length === 0 || tooOld) {
      // The files hold more history than the ring; a running tide flushes them within 250 ms.
      const files = readDecisionFiles(decisionsDir(dir.root), ref, at !== undefined ? { at } : {});
      if (files.records.length > 0 || !answer) {
        answer = { ...files, known: answer?.known.length ? answer.known : files.known };
        source = 'decision log files';
      }
    }
    return report(ref, at, answer, source, opts, dir.root);
  } catch (e) {
    console.error(`tide explain: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function report(
  ref: ObjectRef,
  at: number | undefined,
  answer: DecisionsAnswer,
  source: Source,
  opts: ExplainOptions,
  stateRoot: string,
): number {
  {
    const explanation = explainDecision(ref, answer.records);
    if (!explanation) {
      const when = at !== undefined ? ` at or before ${new Date(at).toISOString()}` : '';
      const known = answer.known.length
        ? ` Objects with decisions: ${answer.known.join(', ')}.`
        : '';
      const asked =
        source === 'tide up'
          ? 'asked the running tide up'
          : source === 'tide operator'
            ? `asked the operator at ${opts.operator ?? ''}`
            : `no tide up answered here; read ${decisionsDir(stateRoot)}`;
      console.error(
        `tide explain: no decision recorded for ${refName(ref)}${when} (${asked}).${known}`,
      );
      return 1;
    }
    if (opts.json) {
      console.log(
        JSON.stringify({ ...explanation, source, record: answer.records.at(-1) }, null, 2),
      );
    } else {
      console.log(explanation.paragraph);
      if (source === 'decision log files')
        console.error(
          '(from .tide/decisions: tide up is not running here or the time is older than its memory)',
        );
    }
    return 0;
  }
}
