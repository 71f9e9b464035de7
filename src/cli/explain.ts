/**
 * `tide explain <Kind/name>`: why an object has the replicas it has (or had, with `--at`), in
 * one paragraph. Asks the running `tide up` in this folder through its control socket; when
 * none runs, or the time asked for is older than its memory, reads `.tide/decisions/*.jsonl`.
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
}

type Source = 'tide up' | 'decision log files';

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
    const explanation = explainDecision(ref, answer.records);
    if (!explanation) {
      const when = at !== undefined ? ` at or before ${new Date(at).toISOString()}` : '';
      const known = answer.known.length
        ? ` Objects with decisions: ${answer.known.join(', ')}.`
        : '';
      console.error(
        `tide explain: no decision recorded for ${refName(ref)}${when} (${source === 'tide up' ? 'asked the running tide up' : `no tide up answered here; read ${decisionsDir(dir.root)}`}).${known}`,
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
  } catch (e) {
    console.error(`tide explain: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
