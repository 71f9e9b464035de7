/**
 * @module
 * The `tide` command. Each subcommand lives in its own file and is imported only when used,
 * so `tide validate` does not load Redis or Kubernetes clients.
 */
import { Command, Option } from 'commander';
import { TideError } from '../errors.js';

const program = new Command()
  .name('tide')
  .description(
    'Event-driven autoscaling from KEDA manifests: local processes or a Kubernetes operator',
  )
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('validate')
  .description(
    'check KEDA and Kubernetes manifests as KEDA and the API server would; exit 1 on any error',
  )
  .argument('<paths...>', 'YAML files or directories')
  .option('--json', 'machine-readable output')
  .option(
    '--resolved',
    "print each trigger's resolved metadata after defaults and auth (secrets redacted)",
  )
  .action(async (paths: string[], opts: { json?: boolean; resolved?: boolean }) => {
    const { runValidate } = await import('./validate.js');
    process.exitCode = await runValidate(paths, opts);
  });

program
  .command('simulate')
  .description(
    'replay a metric trace through the engine with a simulated clock (no servers needed)',
  )
  .argument('<paths...>', 'YAML files or directories with the ScaledObjects / ScaledJobs')
  .requiredOption('--trace <file>', 'trace file (.json or .csv), see examples/traces/')
  .option('--json', 'machine-readable output')
  .option('--svg <file>', 'draw metric, target and replicas over time into an SVG file')
  .action(async (paths: string[], opts: { trace: string; json?: boolean; svg?: string }) => {
    const { runSimulate } = await import('./simulate.js');
    process.exitCode = await runSimulate(paths, opts);
  });

program
  .command('up')
  .description(
    'run the manifests on this machine: Deployments as process pools, ScaledJobs as jobs',
  )
  .argument('<paths...>', 'YAML files or directories')
  .addOption(new Option('--plain', 'plain log lines even on a terminal (no live table)'))
  .option('--log-level <level>', 'tide log level (debug, info, warn, error)', 'info')
  .action(async (paths: string[], opts: { plain?: boolean; logLevel: string }) => {
    const { runUp } = await import('./up.js');
    process.exitCode = await runUp(paths, opts);
  });

program
  .command('status')
  .description('show the objects of the `tide up` running in this folder')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const { runStatus } = await import('./status.js');
    process.exitCode = await runStatus(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // Expected failures print one clear line; anything else keeps its stack for a bug report.
  if (e instanceof TideError) console.error(`tide: ${e.message}`);
  else console.error(e);
  process.exitCode = process.exitCode || 1;
}
