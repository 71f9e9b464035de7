#!/usr/bin/env node
// Runs the TypeScript CLI in-process through tsx's loader, so signals reach tide itself
// (a wrapper child process would swallow Ctrl-C / SIGTERM handling in `tide up`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
