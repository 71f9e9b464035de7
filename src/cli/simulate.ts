/** `tide simulate <manifests> --trace <file>`: per step the decision and its reasons. */
import { writeFile } from 'node:fs/promises';
import { simulate } from '../api.js';
import { renderSvg } from '../simulate/index.js';

export async function runSimulate(
  paths: string[],
  opts: { trace: string; json?: boolean; svg?: string },
): Promise<number> {
  let steps;
  try {
    steps = await simulate(paths, opts.trace);
  } catch (e) {
    console.error(`tide simulate: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (opts.svg) await writeFile(opts.svg, renderSvg(steps));
  if (opts.json) {
    console.log(JSON.stringify(steps, null, 2));
    return 0;
  }
  for (const s of steps) {
    const metrics = s.triggers
      .map(
        (t) =>
          `${t.name}=${t.error ? 'ERROR' : (t.value ?? '-')}/${t.target}${t.active ? '' : ' idle'}`,
      )
      .join(' ');
    const what =
      s.kind === 'ScaledObject'
        ? `replicas ${s.replicasBefore ?? '?'} -> ${s.desiredReplicas ?? '?'}`
        : `jobs +${s.jobsToCreate ?? 0} (running ${s.runningJobs ?? 0})`;
    const why = s.reasons.at(-1)?.message ?? '';
    console.log(`t=${String(s.time).padStart(5)}s  ${s.object}  ${metrics}  ${what}  ${why}`);
  }
  if (opts.svg) console.log(`chart written to ${opts.svg}`);
  return 0;
}
