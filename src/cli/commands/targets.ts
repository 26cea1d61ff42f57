// `edge-prune targets`: list the deployment targets with their profile, runtime and budgets.
import type { Command } from 'commander';
import type { LoadedTarget } from '../../targets/load-targets.ts';
import { action, printResult } from '../output.ts';

/** The JSON row of one target. */
function toJson({ target, profile }: LoadedTarget): Record<string, unknown> {
  return {
    name: target.name,
    description: target.description,
    profile: target.profile,
    device: profile.device,
    runtime: target.runtime,
    backend: target.backend,
    exportFormats: target.exportFormats,
    quantization: target.quantization,
    encodings: target.encodings ?? null,
    budget: target.budget,
    channelRounding: target.channelRounding,
    measurement: target.measurement,
    emulation: { cpuThrottlingRate: profile.emulation.cpuThrottlingRate.value, calibrated: profile.emulation.calibrated },
  };
}

/** A left-aligned text table. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The human-readable listing. */
function describe(targets: LoadedTarget[]): string {
  const rows = targets.map(({ target, profile }) => [
    target.name,
    profile.device,
    `${target.runtime} (${target.backend.threads} thread${target.backend.threads === 1 ? '' : 's'})`,
    String(target.budget.latencyMs),
    String(target.budget.memoryMb),
    String(target.budget.modelSizeMb),
    target.budget.maxAccuracyDrop === undefined ? '-' : `${(target.budget.maxAccuracyDrop * 100).toFixed(1)}%`,
    `${target.exportFormats.join('+')} ${target.quantization}`,
    target.measurement.methods.join('/'),
  ]);
  const header = ['target', 'device', 'runtime', 'latency ms', 'memory MB', 'size MB', 'max acc drop', 'export', 'measure'];
  return `${table(header, rows)}\n\nBudgets are defaults at batch 1; override them with --latency-ms / --memory-mb.`;
}

/** Register the targets command. */
export function register(program: Command): void {
  program
    .command('targets')
    .description('list deployment targets: device profile, runtime, export formats and default budgets')
    .addHelpText('after', '\nTargets live in targets/<name>.json and name a device in profiles/<device>.json.\nExample:\n  edge-prune targets --json | jq ".[] | {name, latency: .budget.latencyMs}"')
    .action(
      action(async (_opts: unknown, cmd: Command) => {
        const { listTargets } = await import('../../targets/load-targets.ts');
        const targets = listTargets();
        printResult(cmd.optsWithGlobals(), targets.map(toJson), () => describe(targets));
      }),
    );
}
