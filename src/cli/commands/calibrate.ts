// `edge-prune calibrate`: measure layer shapes on a host runtime, fit the host profile, show predicted vs measured.
import type { Command } from 'commander';
import { writeJsonAtomic } from '../../core/atomic-write.ts';
import type { Logger } from '../../core/logger.ts';
import { HOST_RUNTIMES as CALIBRATABLE, type RuntimeName } from '../../core/runtime-names.ts';
import type { CalibrationReport, ErrorSummary } from '../../latency/calibration/calibrate.ts';
import { choiceOption, numberOption } from '../options.ts';
import { action, printResult } from '../output.ts';

/** Options of the calibrate command. */
interface CalibrateFlags {
  runtime: RuntimeName;
  profile: string;
  warmup: number;
  runs: number;
  rounds: number;
  statistic: 'min' | 'median';
  residency: 'alone' | 'pool';
  threads: number;
  compute: 'float32' | 'int8';
  write: boolean;
}

/** Progress on stderr (one rewritten line) when it is a terminal; nothing otherwise. */
const progressLogger: Logger = {
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  progress: (e) => {
    if (!process.stderr.isTTY) return;
    process.stderr.write(`\r${e.task} ${e.done}/${e.total} ${e.detail ?? ''}`.padEnd(80).slice(0, 100));
    if (e.done === e.total) process.stderr.write('\n');
  },
};

/** One summary line. */
const summaryLine = (label: string, s: ErrorSummary): string =>
  `${label}: ${s.count} models, median |error| ${s.medianAbsErrorPct.toFixed(1)}%, p95 ${s.p95AbsErrorPct.toFixed(1)}%; ` +
  `total predicted ${s.predictedTotalMs.toFixed(2)} ms vs measured ${s.measuredTotalMs.toFixed(2)} ms (${s.totalErrorPct >= 0 ? '+' : ''}${s.totalErrorPct.toFixed(1)}%)`;

/** Other work on the host during a calibration: load average beyond this process's own CPU use. */
function otherLoad(report: CalibrationReport): number {
  return Math.max(0, Math.max(...report.hostLoad) - report.processCpu);
}

/** The human-readable report. */
function describe(report: CalibrationReport, written: string | undefined): string {
  const head = `${'probe'.padEnd(34)} ${'layers'.padStart(6)} ${'MMACs'.padStart(8)} ${'measured'.padStart(9)} ${'predicted'.padStart(9)} ${'error'.padStart(7)}`;
  const rows = report.probes.map(
    (p) =>
      `${(p.role === 'check' ? `[check] ${p.id}` : p.id).padEnd(34)} ${String(p.layers).padStart(6)} ${(p.macs / 1e6).toFixed(1).padStart(8)} ` +
      `${p.measuredMs.toFixed(3).padStart(9)} ${p.predictedMs.toFixed(3).padStart(9)} ${`${p.errorPct >= 0 ? '+' : ''}${p.errorPct.toFixed(1)}%`.padStart(7)}`,
  );
  const c = report.coefficients;
  const coeff = [
    `inference overhead ${c.inferenceOverheadMs.toFixed(4)} ms, per-layer overhead ${c.layerOverheadMs.toFixed(4)} ms, cache ${c.cacheMb} MB, channel block ${c.channelBlock}, bandwidth ${c.bandwidthGBs.toPrecision(4)} GB/s`,
    `throughput (G/s): ${Object.entries(c.throughputGops).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`,
  ];
  const busy =
    otherLoad(report) > 1
      ? `\nwarning: the host was busy (load ${report.hostLoad.map((l) => l.toFixed(1)).join(' → ')}, of which this process ${report.processCpu.toFixed(1)}); timings are inflated — rerun when idle`
      : '';
  return [
    `calibrate ${report.runtime}${report.compute === 'int8' ? ' (int8)' : ''}: ${report.runtimeVersion}, ${report.statistic} of ${report.rounds}×${report.runs} runs after ${report.warmup} warm-up, ${report.residency === 'alone' ? 'each model loaded alone' : 'all models loaded together'}, ${report.threads} thread${report.threads === 1 ? '' : 's'} (times in ms)`,
    head,
    ...rows,
    '',
    summaryLine('fitted (networks and layer probes)', report.fit),
    summaryLine('fitted whole networks', report.fitNetworks),
    summaryLine('held-out networks', report.check),
    `held-out networks within 10%: ${(report.check.within10Pct * 100).toFixed(0)}% of ${report.check.count}; wall time ${report.wallSeconds.toFixed(0)} s`,
    ...(report.compute === 'int8' ? [`host drift ${report.hostDrift.toFixed(2)}× (float32 anchors now vs at the float32 calibration): int8 times divided by it`] : []),
    ...coeff,
    written ? `wrote ${written}` : 'profile not written (--no-write)',
  ].join('\n') + busy;
}

/** Register the calibrate command. */
export function register(program: Command): void {
  program
    .command('calibrate')
    .description('time a sweep of layer shapes on a host runtime, fit the host profile\'s latency coefficients, and show predicted vs measured')
    .addOption(choiceOption('--runtime <name>', 'host runtime to measure', CALIBRATABLE).makeOptionMandatory())
    .option('--profile <name>', 'profile to write the fitted coefficients into', 'host')
    .addOption(numberOption('--warmup <n>', 'untimed runs before timing each probe', { integer: true, min: 0 }, 3))
    .addOption(numberOption('--runs <n>', 'timed runs per model and round', { integer: true, min: 1 }, 6))
    .addOption(numberOption('--rounds <n>', 'interleaved passes over all models (runs are pooled; spreads out a busy spell)', { integer: true, min: 1 }, 8))
    .addOption(choiceOption('--statistic <s>', 'per-model figure to fit: min (robust to other load) or median', ['min', 'median'], 'min'))
    .addOption(choiceOption('--residency <r>', 'alone: each turn loads its model alone; pool: all models stay loaded, turns interleave', ['alone', 'pool'], 'alone'))
    .addOption(numberOption('--threads <n>', 'onnxruntime-node intra-op threads (tfjs-wasm runs one)', { integer: true, min: 1 }, 1))
    .addOption(choiceOption('--compute <p>', 'int8: time every model as its int8 QDQ export (onnxruntime-node) and write the runtime\'s int8 costs (device profiles\' onnxruntime entries get int8 costs derived from them)', ['float32', 'int8'], 'float32'))
    .option('--no-write', 'report only; leave the profile file unchanged')
    .addHelpText('after', '\nThe fit uses whole networks (the samples and fixtures, unpruned and pruned with seeded random\nper-group drop ratios, timed end to end) plus single-layer probes; other seeds are held out. Run it on an idle machine.\nonnxruntime-node is calibrated at 1 intra-op thread by default: with more, the split of each conv over threads\nis not linear in its work (on a 2-core host, 45% of held-out networks within 10% at 2 threads, 90% at 1).\nExample:\n  edge-prune calibrate --runtime tfjs-wasm\n  edge-prune calibrate --runtime onnxruntime-node\n  edge-prune calibrate --runtime onnxruntime-node --compute int8 --rounds 3\n  edge-prune calibrate --runtime tfjs-wasm --no-write --json | jq .check')
    .action(
      action(async (flags: CalibrateFlags, cmd: Command) => {
        const { loadProfile, profilePath } = await import('../../targets/load-targets.ts');
        const { ProfileSchema, parseConfig } = await import('../../core/schemas.ts');
        const profile = loadProfile(flags.profile);
        // Loaded here, not at startup: it pulls in tfjs and onnxruntime.
        const { applyCalibration, calibrateHost } = await import('../../latency/calibration/calibrate.ts');
        const report = await calibrateHost({
          runtime: flags.runtime,
          warmup: flags.warmup,
          runs: flags.runs,
          rounds: flags.rounds,
          statistic: flags.statistic,
          residency: flags.residency,
          threads: flags.threads,
          compute: flags.compute,
          ...(flags.compute === 'int8' ? { float32Anchors: profile.runtimes[flags.runtime]?.calibration?.anchors ?? {} } : {}),
          logger: progressLogger,
        });
        let written: string | undefined;
        if (flags.write) {
          const path = profilePath(profile.name);
          const updated = parseConfig(ProfileSchema, applyCalibration(profile, report), path);
          await writeJsonAtomic(path, updated);
          written = path;
          if (flags.compute === 'int8') {
            const { listProfiles } = await import('../../targets/load-targets.ts');
            const { withDerivedInt8 } = await import('../../latency/calibration/int8-entry.ts');
            for (const device of listProfiles()) {
              const derived = withDerivedInt8(device, updated);
              if (derived === device) continue;
              const devicePath = profilePath(device.name);
              await writeJsonAtomic(devicePath, parseConfig(ProfileSchema, derived, devicePath));
              written += `, ${devicePath} (derived)`;
            }
          }
        }
        printResult(cmd.optsWithGlobals(), { ...report, written: written ?? null }, () => describe(report, written));
      }),
    );
}
