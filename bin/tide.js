#!/usr/bin/env node
// `tide` from the TypeScript sources of a git clone, for tests and development: the sources run
// in-process through tsx's loader (a dev dependency), so signals reach tide itself (a wrapper
// child process would swallow Ctrl-C / SIGTERM handling in `tide up`). Not in the npm package:
// there, `tide` is dist/cli/main.js (package.json "bin"), compiled by `npm run build`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
