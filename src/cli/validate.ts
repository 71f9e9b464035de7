/** `tide validate <paths...>`: every error and warning, exit 1 on any error. */
import { validate } from '../api.js';
import type { ManifestError } from '../errors.js';
import { formatIssue } from '../errors.js';
import { describeResolvedTriggers } from '../manifests/index.js';

function flatten(list: ManifestError[]) {
  return list.flatMap((e) =>
    e.issues.map((i) => ({
      file: e.ref.file,
      object: e.ref.object,
      path: i.path,
      ...(i.line !== undefined ? { line: i.line, col: i.col } : {}),
      severity: i.severity,
      message: i.message,
      text: formatIssue(e.ref, i),
    })),
  );
}

export async function runValidate(
  paths: string[],
  opts: { json?: boolean; resolved?: boolean },
): Promise<number> {
  const report = await validate(paths);
  const errors = flatten(report.errors);
  const warnings = flatten(report.warnings);
  const s = report.set;
  const objects =
    s.scaledObjects.length +
    s.scaledJobs.length +
    s.triggerAuthentications.length +
    s.clusterTriggerAuthentications.length +
    s.deployments.length +
    s.statefulSets.length +
    s.secrets.length +
    s.configMaps.length;
  const resolved = opts.resolved ? describeResolvedTriggers(report.set) : undefined;
  if (opts.json) {
    // Secrets inside resolved metadata serialize as "[redacted]" through Secret.toJSON.
    console.log(
      JSON.stringify(
        {
          valid: report.valid,
          files: report.files,
          objects,
          errors,
          warnings,
          ignored: s.ignored,
          ...(resolved ? { resolved } : {}),
        },
        null,
        2,
      ),
    );
    return report.valid ? 0 : 1;
  }
  for (const e of errors) console.log(`error: ${e.text}`);
  for (const w of warnings) console.log(`warning: ${w.text}`);
  for (const i of s.ignored)
    console.log(
      `ignored: ${i.source.file}: ${i.apiVersion} ${i.kind} ${i.name} (not a kind tide reads)`,
    );
  if (resolved) {
    for (const t of resolved) {
      console.log(`\n${t.object} trigger ${t.index} (${t.type}${t.name ? ` "${t.name}"` : ''}):`);
      console.log(
        t.metadata === undefined
          ? '  (did not resolve: see errors above)'
          : JSON.stringify(t.metadata, null, 2).replace(/^/gm, '  '),
      );
    }
  }
  console.log(
    `${report.valid ? 'valid' : 'invalid'}: ${report.files.length} file(s), ${objects} object(s), ${errors.length} error(s), ${warnings.length} warning(s)`,
  );
  return report.valid ? 0 : 1;
}
