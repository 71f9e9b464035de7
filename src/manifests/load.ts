/**
 * Loads manifests from files and directories. A file with any error contributes no object to
 * the set (nothing from an invalid file is applied; everything else keeps running), and every
 * error of a file is reported at once, each with its line and column.
 */
import { findNamed } from './lookup.js';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ManifestError } from '../errors.js';
import {
  checkManifestText,
  decodeManifest,
  MAX_MANIFEST_BYTES,
  textProblem,
  type FileText,
} from './file-text.js';
import type { ManifestIssue } from '../errors.js';
import { parseObject } from './parse-object.js';
import { rememberDocument } from './positions.js';
import type { RawIssue } from './parse-object.js';
import { objectName } from './types.js';
import type { ManifestSet, TideObject } from './types.js';
import { formatPath, parseYamlDocuments } from './yaml-source.js';
import type { SourceDocument } from './yaml-source.js';

export interface LoadResult {
  /** Objects from files without errors. */
  set: ManifestSet;
  /** One ManifestError per object (or per file, for YAML syntax) with error-severity issues. */
  errors: ManifestError[];
  /** Warning-severity issues, grouped the same way. */
  warnings: ManifestError[];
  /** Every file read, in load order. */
  files: string[];
}

export function emptySet(): ManifestSet {
  return {
    scaledObjects: [],
    scaledJobs: [],
    triggerAuthentications: [],
    clusterTriggerAuthentications: [],
    deployments: [],
    statefulSets: [],
    secrets: [],
    configMaps: [],
    ignored: [],
  };
}

/** Adds an object to the list of its kind. */
export function addToSet(set: ManifestSet, o: TideObject): void {
  switch (o.kind) {
    case 'ScaledObject':
      set.scaledObjects.push(o);
      break;
    case 'ScaledJob':
      set.scaledJobs.push(o);
      break;
    case 'TriggerAuthentication':
      set.triggerAuthentications.push(o);
      break;
    case 'ClusterTriggerAuthentication':
      set.clusterTriggerAuthentications.push(o);
      break;
    case 'Deployment':
      set.deployments.push(o);
      break;
    case 'StatefulSet':
      set.statefulSets.push(o);
      break;
    case 'Secret':
      set.secrets.push(o);
      break;
    case 'ConfigMap':
      set.configMaps.push(o);
      break;
  }
}

/** Every object of a set, in kind order. */
export function allObjects(set: ManifestSet): TideObject[] {
  return [
    ...set.scaledObjects,
    ...set.scaledJobs,
    ...set.triggerAuthentications,
    ...set.clusterTriggerAuthentications,
    ...set.deployments,
    ...set.statefulSets,
    ...set.secrets,
    ...set.configMaps,
  ];
}

/** Reads files and directories (recursively: `*.yaml`, `*.yml`, skipping dotfiles and node_modules). */
export async function loadManifests(paths: string[]): Promise<LoadResult> {
  const result: LoadResult = { set: emptySet(), errors: [], warnings: [], files: [] };
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      const reason =
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'no such file or directory'
          : (e as Error).message;
      result.errors.push(
        new ManifestError({ file: p, object: '' }, [
          { path: '', message: `cannot read: ${reason}`, severity: 'error' },
        ]),
      );
      continue;
    }
    if (st.isDirectory()) files.push(...(await walk(p)));
    else files.push(p);
  }
  const seen = new Set<string>();
  const unique = files.filter((f) => !seen.has(resolve(f)) && seen.add(resolve(f)));
  // Files are read a few at a time (one await per file left the process idle between small
  // reads) and merged in order, so errors and duplicates are reported as for a serial read.
  for (let i = 0; i < unique.length; i += READ_AHEAD) {
    const batch = unique.slice(i, i + READ_AHEAD);
    const texts = await Promise.all(batch.map(readManifestFile));
    batch.forEach((file, j) => {
      const read = texts[j];
      if (read === undefined) return;
      if ('unreadable' in read)
        result.errors.push(fileError(file, `cannot read: ${read.unreadable}`));
      else if (read.ok) mergeFile(result, read.text, file);
      else {
        // Read but refused: listed like a file with errors, so `tide up` keeps its last version.
        result.files.push(file);
        result.errors.push(fileError(file, read.problem));
      }
    });
  }
  return result;
}

/** The file's text, or why it is refused, or why it could not be read. */
async function readManifestFile(file: string): Promise<FileText | { unreadable: string }> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    // A file too large is refused before it is read.
    const { size } = await fh.stat();
    const tooLarge = textProblem(size, -1, MAX_MANIFEST_BYTES);
    if (tooLarge) return { ok: false, problem: tooLarge };
    return decodeManifest(await fh.readFile());
  } catch (e) {
    return { unreadable: (e as Error).message };
  } finally {
    await fh?.close();
  }
}

/** A problem with a whole file, in one line. */
function fileError(file: string, problem: string): ManifestError {
  return new ManifestError({ file, object: '' }, [
    { path: '', message: problem, severity: 'error' },
  ]);
}

/** Files read at once; enough to keep the thread pool busy without holding many texts. */
const READ_AHEAD = 32;

/** Loads one file's text; for tests and for callers that already hold the YAML. */
export function loadManifestsFromString(text: string, fileName: string): LoadResult {
  const result: LoadResult = { set: emptySet(), errors: [], warnings: [], files: [] };
  const checked = checkManifestText(text);
  if (checked.ok) mergeFile(result, text, fileName);
  else {
    result.files.push(fileName);
    result.errors.push(fileError(fileName, checked.problem));
  }
  return result;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

function mergeFile(result: LoadResult, text: string, file: string): void {
  result.files.push(file);
  const fileErrors: ManifestError[] = [];
  const objects: TideObject[] = [];
  const ignored: ManifestSet['ignored'] = [];
  const split = (
    object: string,
    doc: SourceDocument,
    raw: readonly RawIssue[] | readonly ManifestIssue[],
  ) => {
    const issues = raw.map((i) => toIssue(i, doc));
    const errors = issues.filter((i) => i.severity === 'error');
    const warnings = issues.filter((i) => i.severity === 'warning');
    if (errors.length) fileErrors.push(new ManifestError({ file, object }, errors));
    if (warnings.length) result.warnings.push(new ManifestError({ file, object }, warnings));
  };
  for (const doc of parseYamlDocuments(text)) {
    if (doc.issues.length) split('', doc, doc.issues);
    if (doc.issues.some((i) => i.severity === 'error')) continue;
    if (doc.value === undefined || doc.value === null) continue; // empty document (`---` at the end)
    const parsed = parseObject(doc.value, { file, line: doc.line });
    switch (parsed.status) {
      case 'object':
        split(objectName(parsed.object), doc, parsed.issues);
        rememberDocument(parsed.object, doc);
        objects.push(parsed.object);
        break;
      case 'ignored':
        split(parsed.name ? `${parsed.kind} ${parsed.name}` : parsed.kind, doc, parsed.issues);
        ignored.push({
          source: { file, line: doc.line },
          apiVersion: parsed.apiVersion,
          kind: parsed.kind,
          name: parsed.name,
        });
        break;
      case 'invalid': {
        const ref = parsed.kind
          ? parsed.name
            ? `${parsed.kind} ${parsed.namespace}/${parsed.name}`
            : parsed.kind
          : '';
        split(ref, doc, parsed.issues);
        break;
      }
    }
  }
  // Earlier objects of this file by identity key: a scan per object made one big file quadratic.
  const earlierInFile = new Map<string, TideObject>();
  for (const o of objects) {
    const key = identityKey(o);
    const dup = earlierInFile.get(key) ?? findDuplicate(result.set, o);
    if (!earlierInFile.has(key)) earlierInFile.set(key, o);
    if (dup) {
      fileErrors.push(
        new ManifestError({ file, object: objectName(o) }, [
          {
            path: 'metadata.name',
            message: `${objectName(o)} is defined twice (also at ${dup.source.file}${dup.source.line ? `:${dup.source.line}` : ''})`,
            line: o.source.line,
            col: 1,
            severity: 'error',
          },
        ]),
      );
    }
  }
  result.errors.push(...fileErrors);
  if (fileErrors.length) return; // nothing from an invalid file is applied
  for (const o of objects) addToSet(result.set, o);
  result.set.ignored.push(...ignored);
}

function listOfKind(set: ManifestSet, kind: string): TideObject[] | undefined {
  switch (kind) {
    case 'ScaledObject':
      return set.scaledObjects;
    case 'ScaledJob':
      return set.scaledJobs;
    case 'TriggerAuthentication':
      return set.triggerAuthentications;
    case 'ClusterTriggerAuthentication':
      return set.clusterTriggerAuthentications;
    case 'Deployment':
      return set.deployments;
    case 'StatefulSet':
      return set.statefulSets;
    case 'Secret':
      return set.secrets;
    case 'ConfigMap':
      return set.configMaps;
    default:
      return undefined;
  }
}

/** Kind, namespace and name; ClusterTriggerAuthentication is cluster-scoped, so no namespace. */
function identityKey(o: TideObject): string {
  const ns = o.kind === 'ClusterTriggerAuthentication' ? '' : o.metadata.namespace;
  return `${o.kind}\u0000${ns}\u0000${o.metadata.name}`;
}

/** An object of the same identity already in the set (from an earlier file). */
function findDuplicate(set: ManifestSet, o: TideObject): TideObject | undefined {
  const ofKind = listOfKind(set, o.kind);
  if (!ofKind) return undefined;
  const ns = o.kind === 'ClusterTriggerAuthentication' ? undefined : o.metadata.namespace;
  const hit = findNamed(ofKind, ns, o.metadata.name);
  return hit && hit !== o ? hit : undefined;
}

function toIssue(i: RawIssue | ManifestIssue, doc: SourceDocument): ManifestIssue {
  if (typeof i.path === 'string') return i as ManifestIssue;
  const at = doc.locate(i.path);
  const issue: ManifestIssue = {
    path: formatPath(i.path),
    message: i.message,
    severity: i.severity,
  };
  if (at) {
    issue.line = at.line;
    issue.col = at.col;
  }
  return issue;
}

/**
 * The set without any object from a file named by `errors` (e.g. validateSet's), so that, as
 * for load errors, nothing from an invalid file is applied while everything else runs.
 */
export function withoutInvalidFiles(
  set: ManifestSet,
  errors: readonly ManifestError[],
): ManifestSet {
  const bad = new Set(errors.map((e) => e.ref.file));
  const keep = <T extends { source: { file: string } }>(list: T[]) =>
    list.filter((o) => !bad.has(o.source.file));
  return {
    scaledObjects: keep(set.scaledObjects),
    scaledJobs: keep(set.scaledJobs),
    triggerAuthentications: keep(set.triggerAuthentications),
    clusterTriggerAuthentications: keep(set.clusterTriggerAuthentications),
    deployments: keep(set.deployments),
    statefulSets: keep(set.statefulSets),
    secrets: keep(set.secrets),
    configMaps: keep(set.configMaps),
    ignored: keep(set.ignored),
  };
}
