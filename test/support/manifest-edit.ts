/**
 * Rewrites an example's manifests for a test: parses every document, lets the test change
 * fields as objects, and writes the result. Structural edits survive reformatting of the
 * example files (a string replace silently misses when quotes or spacing change).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

export type Doc = Record<string, unknown> & {
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};

export function editManifests(from: string, to: string, edit: (doc: Doc) => void): void {
  const docs = parseAllDocuments(readFileSync(from, 'utf8')).map((d) => d.toJS() as Doc);
  for (const d of docs) edit(d);
  writeFileSync(to, docs.map((d) => stringify(d)).join('---\n'));
}

type Container = Record<string, unknown> & { env?: { name: string; value?: string }[] };
interface PodTemplate {
  spec?: { containers?: Container[] };
}

/** The first container of a Deployment / StatefulSet / ScaledJob document. */
export function firstContainer(doc: Doc): Container {
  const spec = doc.spec as
    { template?: PodTemplate; jobTargetRef?: { template?: PodTemplate } } | undefined;
  const tpl = doc.kind === 'ScaledJob' ? spec?.jobTargetRef?.template : spec?.template;
  const c = tpl?.spec?.containers?.[0];
  if (!c) throw new Error(`${doc.kind} ${doc.metadata?.name}: no container`);
  return c;
}

/** Sets (or adds) an env var with a literal value on a container. */
export function setEnv(
  container: { env?: { name: string; value?: string }[] },
  name: string,
  value: string,
): void {
  container.env ??= [];
  const e = container.env.find((x) => x.name === name);
  if (e) e.value = value;
  else container.env.push({ name, value });
}
