/**
 * Runs a Dockerfile's stages on this machine without a Docker daemon (the test machines have
 * the docker CLI but neither a daemon nor access to Docker Hub): every stage gets its own
 * folder standing for its root file system, and WORKDIR, COPY (from the context or
 * `--from=<stage>`), ENV and RUN are carried out in it, in order. The base image is this
 * machine's Node 20, which is what `node:20-bookworm-slim` provides. This checks what a build
 * would get wrong and the unit tests cannot see: a runtime import missing from the production
 * dependencies, a file the compile step does not emit, an entry point that does not start.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BuiltImage {
  /** The final stage's root folder. */
  root: string;
  /** The final stage's WORKDIR inside `root`. */
  workdir: string;
  env: Record<string, string>;
  /** ENTRYPOINT followed by CMD, in exec form. */
  command: string[];
  user?: string;
}

interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
}

/** Joins continuation lines and drops comments, giving one instruction per entry. */
export function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = pending + line;
    pending = '';
    const m = /^(\w+)\s+(.*)$/.exec(full);
    if (m) out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  return out;
}

const execForm = (args: string): string[] => JSON.parse(args) as string[];

/**
 * Builds `dockerfile` with `context` as the build context under `workRoot`, logging each
 * step to `log`. Rejects on the first failing step with its output.
 */
export async function buildStages(
  dockerfile: string,
  context: string,
  workRoot: string,
  log: (line: string) => void = () => undefined,
): Promise<BuiltImage> {
  const stages = new Map<string, Stage>();
  let stage: Stage | undefined;
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let user: string | undefined;
  const inStage = (s: Stage, p: string) => join(s.root, p.startsWith('/') ? p : join(s.workdir, p));
  for (const { op, args } of instructions(readFileSync(dockerfile, 'utf8'))) {
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`FROM ${args}: cannot read`);
      const name = m[2] ?? `stage${stages.size}`;
      stage = { name, root: join(workRoot, name), workdir: '/', env: {} };
      mkdirSync(stage.root, { recursive: true });
      stages.set(name, stage);
      entrypoint = [];
      cmd = [];
      user = undefined;
      log(`stage ${name} (base ${m[1]!}: this machine's node ${process.version})`);
      continue;
    }
    if (!stage) throw new Error(`${op} before FROM`);
    const s = stage;
    switch (op) {
      case 'WORKDIR':
        s.workdir = args.startsWith('/') ? args : join(s.workdir, args);
        mkdirSync(join(s.root, s.workdir), { recursive: true });
        break;
      case 'ENV': {
        const m = /^(\w+)[= ](.*)$/.exec(args);
        if (!m) throw new Error(`ENV ${args}: cannot read`);
        s.env[m[1]!] = m[2]!;
        break;
      }
      case 'COPY': {
        const parts = args.split(/\s+/);
        const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice(7) : undefined;
        const dest = parts.pop()!;
        const source = from ? stages.get(from) : undefined;
        if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
        for (const src of parts) {
          const srcPath = source ? join(source.root, src) : join(context, src);
          const destPath = dest.endsWith('/')
            ? join(inStage(s, dest), basename(src))
            : inStage(s, dest);
          cpSync(srcPath, destPath, { recursive: true });
        }
        log(`  COPY ${args}`);
        break;
      }
      case 'RUN': {
        log(`  RUN ${args}`);
        try {
          await run('sh', ['-c', args], {
            cwd: join(s.root, s.workdir),
            env: { ...process.env, ...s.env },
            maxBuffer: 64 * 1024 * 1024,
          });
        } catch (e) {
          const err = e as { stdout?: string; stderr?: string; message: string };
          throw new Error(
            `RUN ${args} failed in stage ${s.name}: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`,
          );
        }
        break;
      }
      case 'ENTRYPOINT':
        entrypoint = execForm(args);
        break;
      case 'CMD':
        cmd = execForm(args);
        break;
      case 'USER':
        user = args;
        break;
      case 'EXPOSE':
      case 'LABEL':
      case 'ARG':
        break;
      default:
        throw new Error(`Dockerfile instruction ${op} is not supported by this runner`);
    }
  }
  if (!stage) throw new Error('no FROM');
  return {
    root: stage.root,
    workdir: join(stage.root, stage.workdir),
    env: stage.env,
    command: [...entrypoint, ...cmd],
    ...(user !== undefined ? { user } : {}),
  };
}
