// Benchmark: start-up time of `edge-prune --help` from the compiled CLI (dist/) against the old start through tsx (goal: under 0.4 s).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One way of starting the CLI, with its timings. */
export interface StartupRow {
  /** What was started. */
  label: string;
  /** The command line, as run from the package folder. */
  command: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/** The ways compared: the published launcher (runs dist/), and the source through tsx as the launcher did before the build. */
const VARIANTS: Array<{ label: string; args: string[] }> = [
  { label: 'node alone (floor)', args: ['-e', '0'] },
  { label: 'compiled (dist/)', args: ['bin/edge-prune.js', '--help'] },
  { label: 'source via tsx', args: ['--import', 'tsx', 'src/cli/main.ts', '--help'] },
];

/** Wall time of one run in ms; throws when the command fails. */
function timeOnce(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EDGE_PRUNE_FROM_SOURCE: '' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/**
 * Build dist/ (so the launcher runs compiled code, not its tsx fallback), then time `runs` starts of
 * each variant, interleaved so that load from other processes hits every variant alike; one
 * untimed warm-up each (file cache).
 */
export function benchStartup(runs = 7): StartupRow[] {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const times = VARIANTS.map(() => [] as number[]);
  for (const v of VARIANTS) timeOnce(v.args);
  for (let r = 0; r < runs; r++) VARIANTS.forEach((v, i) => times[i]?.push(timeOnce(v.args)));
  return VARIANTS.map((v, i) => {
    const sorted = [...(times[i] ?? [])].sort((a, b) => a - b);
    return { label: v.label, command: `node ${v.args.join(' ')}`, medianMs: sorted[Math.floor(sorted.length / 2)] as number, minMs: sorted[0] as number, maxMs: sorted[sorted.length - 1] as number, runs };
  });
}

/** Text lines for the rows. */
export function describeStartup(rows: StartupRow[]): string[] {
  return [
    `CLI start-up, \`--help\` (median of ${rows[0]?.runs ?? 0} runs, interleaved; goal for compiled: under 400 ms)`,
    ...rows.map((r) => `  ${r.label.padEnd(20)} ${r.medianMs.toFixed(0).padStart(6)} ms  (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)})  ${r.command}`),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of describeStartup(benchStartup())) console.log(line);
}
