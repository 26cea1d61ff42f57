// `edge-prune verify`: measure an exported bundle locally, emulated in Chromium, or on a phone, against the target's budget.
import { cpus } from 'node:os';
import type { Command } from 'commander';
import { fail } from '../../core/errors.ts';
import type { EmulationCalibration } from '../../verify/calibrate-emulation.ts';
import type { BundleFormat, Measurement, VerifyMethod, VerifyOptions } from '../../verify/types.ts';
import { METHODS } from '../../core/runtime-names.ts';
import { EXPORT_FORMATS } from '../../export/types.ts';
import type { LoadedTarget } from '../../targets/load-targets.ts';
import { addBudgetOptions, choiceOption, numberOption } from '../options.ts';
import { EXIT_CODES, action, printResult } from '../output.ts';
import { createCliLogger } from '../progress.ts';

/** Options of the verify command (numbers already parsed and range-checked by commander). */
interface VerifyFlags {
  target: string;
  method?: VerifyMethod;
  runs?: number;
  warmup?: number;
  format?: BundleFormat;
  entry?: string;
  latencyMs?: number;
  throttlingRate?: number;
  serve?: boolean;
  host?: string;
  port?: number;
  serial?: string;
  timeout?: number;
  record: boolean;
  calibrateEmulation?: boolean;
  write: boolean;
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;

/** Human summary of a measurement. */
function describe(m: Measurement): string {
  const lines = [
    `verify ${m.method} on target ${m.target}: ${m.model.file} (${m.model.format}, ${(m.model.bytes / 1e6).toFixed(2)} MB)`,
    `  ${m.label}`,
    `  ${m.warmup} warm-up + ${m.runs} timed runs: median ${ms(m.medianMs)}, p90 ${ms(m.p90Ms)}, min ${ms(m.minMs)}, max ${ms(m.maxMs)}, first run ${ms(m.firstRunMs)}`,
    `  peak memory: ${m.peakMemoryMb === null ? 'not exposed by this runtime' : `${m.peakMemoryMb.toFixed(1)} MB (${m.peakMemorySource})`}`,
    m.predictedMs === null || m.predictedBy === null
      ? '  predicted: n/a (no TF.js Layers model in the export, or the profile lacks this runtime)'
      : `  predicted ${ms(m.predictedMs)} (profile ${m.predictedBy.profile}, ${m.predictedBy.runtime}) vs measured ${ms(m.medianMs)}: ${(m.predictedErrorPct ?? 0) >= 0 ? '+' : ''}${(m.predictedErrorPct ?? 0).toFixed(1)}%`,
    `  budget ${ms(m.budgetMs)}: ${m.pass ? 'PASS' : 'OVER BUDGET'}`,
  ];
  return lines.join('\n');
}

/** Human summary of an emulation calibration. */
function describeCalibration(c: EmulationCalibration): string {
  return [
    `calibrate emulation for profile ${c.profile} (${c.runtime}, headless ${c.browser}, ${c.runtimeVersion})`,
    `  reference: ${c.referenceModel}, ${ms(c.referenceMs)} on the device; ${ms(c.unthrottledMs)} here unthrottled (median of each batch)`,
    ...c.points.map((p) => `  ×${p.rate.toFixed(2).padEnd(6)} median ${ms(p.medianMs)}`),
    `  rate ×${c.rate.toFixed(2)} gives ${ms(c.emulatedMs)}${c.fromFit ? ' by the log-log fit over the points' : ''} (${c.errorPct >= 0 ? '+' : ''}${c.errorPct.toFixed(1)}%); was ×${c.previousRate}`,
    c.written ? `  wrote ${c.written}` : '  profile not written (--no-write)',
    ...(c.hostLoad[0] > cpus().length ? [`warning: the host was busy (load ${c.hostLoad.map((l) => l.toFixed(1)).join(' → ')} on ${cpus().length} cores); timings are inflated and the rate is unreliable: rerun on an idle machine`] : []),
  ].join('\n');
}

/** Print the page URLs and a QR code on stderr for a phone to open. */
async function showUrls(urls: string[], host: string | undefined): Promise<void> {
  const { default: QRCode } = await import('qrcode');
  const first = urls[0] ?? '';
  process.stderr.write(`open this URL on the phone (keep the tab in front until it reports done):\n${urls.map((u) => `  ${u}`).join('\n')}\n`);
  process.stderr.write(`${await QRCode.toString(first, { type: 'terminal', small: true })}\n`);
  if (!host || host === '127.0.0.1' || host === 'localhost') {
    process.stderr.write('note: listening on 127.0.0.1 only; a phone on the network cannot reach it. Pass --host 0.0.0.0 (or this machine\'s LAN address) to listen beyond loopback.\n');
  }
}

/** Build library options from the flags. */
function toOptions(flags: VerifyFlags, target: LoadedTarget, method: VerifyMethod): VerifyOptions {
  const options: VerifyOptions = { target, method, record: flags.record };
  if (flags.runs !== undefined) options.runs = flags.runs;
  if (flags.warmup !== undefined) options.warmup = flags.warmup;
  if (flags.latencyMs !== undefined) options.budgetMs = flags.latencyMs;
  if (flags.throttlingRate !== undefined) options.throttlingRate = flags.throttlingRate;
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.timeout !== undefined) options.timeoutMs = flags.timeout * 1000;
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.serial !== undefined) options.serial = flags.serial;
  if (flags.serve) options.serve = true;
  if (flags.format !== undefined) options.format = flags.format;
  if (flags.entry !== undefined) options.entry = flags.entry;
  return options;
}

/** Register the verify command. */
export function register(program: Command): void {
  const command = program
    .command('verify')
    .description('measure an exported bundle\'s latency on the target\'s runtime: local (this host), emulated (headless Chromium, CPU throttled) or device (a phone)')
    .argument('[export-dir]', 'a folder written by `edge-prune export` (with manifest.json)')
    .requiredOption('--target <name>', 'target name (see `edge-prune targets`) or a target JSON file')
    .addOption(choiceOption('--method <m>', 'how to measure (default: the target\'s measurement.default)', METHODS))
    .addOption(numberOption('--runs <n>', 'timed runs (default: the target\'s)', { integer: true, min: 1, max: 10_000 }))
    .addOption(numberOption('--warmup <n>', 'untimed warm-up runs after the first (default: the target\'s)', { integer: true, min: 0, max: 10_000 }))
    .addOption(choiceOption('--format <f>', 'bundle to measure (default: what the target\'s runtime loads)', EXPORT_FORMATS))
    .option('--entry <file>', 'measure this entry of the export folder, e.g. onnx-int8/model.onnx (the int8 ONNX a run writes beside the float one)');
  addBudgetOptions(command, ['latencyMs'])
    .addOption(numberOption('--throttling-rate <r>', 'emulated: CPU throttling rate (default: the profile\'s calibrated rate)', { min: 1, max: 100 }))
    .option('--serve', 'device: serve the page for a phone on the network; prints a URL and a QR code')
    .option('--host <addr>', 'listen address with --serve (default 127.0.0.1; e.g. 0.0.0.0 for the LAN)')
    .addOption(numberOption('--port <n>', 'listen port (default: a free port)', { integer: true, min: 0, max: 65_535 }))
    .option('--serial <s>', 'device: adb serial when several phones are attached')
    .addOption(numberOption('--timeout <s>', 'seconds to wait for the page\'s result (default 180 emulated, 300 device)', { min: 1, max: 86_400 }))
    .option('--no-record', 'do not append the run to <export-dir>/measurements.json')
    .option('--calibrate-emulation', 'find the CPU throttling rate at which the profile\'s reference model matches its device latency, and record it in the profile')
    .option('--no-write', 'with --calibrate-emulation: report only, leave the profile unchanged')
    .addHelpText(
      'after',
      [
        '',
        'Every figure says how it was obtained: local (host runtime), emulated (not the device), or device.',
        'Exit code 0 when the median is within the latency budget, 11 when over it.',
        'The benchmark page is served on 127.0.0.1 from local files only; results come back with a one-time token.',
        '',
        'Examples:',
        '  edge-prune verify out/ --target host --method local',
        '  edge-prune verify out/ --target pixel7 --method emulated --runs 30 --json',
        '  edge-prune verify out/ --target pixel7 --method device            # phone on USB (adb)',
        '  edge-prune verify out/ --target iphone-15 --method device --serve --host 0.0.0.0',
        '  edge-prune verify --calibrate-emulation --target pixel7',
      ].join('\n'),
    )
    .action(
      action(async (exportDir: string | undefined, flags: VerifyFlags, cmd: Command) => {
        const globals = cmd.optsWithGlobals() as { json?: boolean };
        const logger = createCliLogger(globals.json === true);
        if (flags.calibrateEmulation) {
          const { calibrateEmulation } = await import('../../verify/calibrate-emulation.ts');
          const opts: Parameters<typeof calibrateEmulation>[1] = { write: flags.write, logger };
          if (flags.runs !== undefined) opts.runs = flags.runs;
          if (flags.warmup !== undefined) opts.warmup = flags.warmup;
          const result = await calibrateEmulation(flags.target, opts);
          printResult(globals, result, () => describeCalibration(result));
          return;
        }
        if (!exportDir) fail('INVALID_ARGUMENT', { expected: 'an export folder', found: 'none', where: 'verify <export-dir>', hint: 'run `edge-prune export <model.json> --out <dir>` first and pass <dir>' });
        const { loadTarget } = await import('../../targets/load-targets.ts');
        const target = loadTarget(flags.target);
        const method = flags.method ?? (flags.serve ? 'device' : target.target.measurement.default);
        if (flags.serve && method !== 'device') fail('INVALID_ARGUMENT', { expected: '--method device with --serve', found: `--method ${method}`, where: '--serve', hint: 'drop --method or pass --method device' });
        if (flags.host !== undefined && !flags.serve) fail('INVALID_ARGUMENT', { expected: '--host only with --serve', found: `--host ${flags.host}`, where: '--host', hint: 'add --serve to let a phone on the network open the page' });
        const options = toOptions(flags, target, method);
        options.logger = logger;
        options.onServing = flags.serve ? (urls) => void showUrls(urls, flags.host) : (urls) => logger.info(`opening ${urls[0] ?? ''} on the phone (adb reverse)`);
        const { verifyExport } = await import('../../verify/verify-export.ts');
        const m = await verifyExport(exportDir, options);
        printResult(globals, m, () => describe(m));
        return m.pass ? EXIT_CODES.OK : EXIT_CODES.OVER_BUDGET;
      }),
    );
}
