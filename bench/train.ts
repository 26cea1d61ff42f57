// Training-speed benchmark: images/s (fwd+bwd+SGD, batch 64) of the reference CNN per backend, beside a PyTorch peer.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs';
import { median } from '../src/core/statistics.ts';
import { BACKEND_NAMES, getTf, initBackend, type BackendPreference } from '../src/runtime/backend.ts';

const BATCH = 64;
const here = dirname(fileURLToPath(import.meta.url));

/** One backend's figure (CPU time per step is shown too: it stays meaningful on a busy machine). */
interface BackendFigure {
  name: string;
  imagesPerSecond: number;
  cpuMsPerStep?: number;
}

/** Parsed command line. */
interface Options {
  json: boolean;
  seconds: number;
  rounds: number;
  backends: string[];
  child: string | null;
}

/**
 * Reads the command line: --json, --seconds S, --rounds N, --backends a,b (default tfjs-node,wasm;
 * add cpu for the pure-JS backend, about a minute per step), --child NAME (internal).
 */
function parseOptions(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    json: argv.includes('--json'),
    seconds: Number(value('--seconds') ?? 6),
    rounds: Number(value('--rounds') ?? 2),
    backends: (value('--backends') ?? 'tfjs-node,wasm').split(',').filter(Boolean),
    child: value('--child') ?? null,
  };
}

/** The reference CNN of the training-engine issue: convs 32-32-64-64-128-128 with BN+ReLU, max-pool per pair, dense 10. */
async function buildReferenceCnn(): Promise<LayersModel> {
  const tf = getTf();
  const model = tf.sequential();
  let previous = 3;
  for (const filters of [32, 32, 64, 64, 128, 128]) {
    model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', ...(previous === 3 ? { inputShape: [32, 32, 3] } : {}) }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.reLU());
    if (filters === previous) model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    previous = filters;
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10 }));
  // Round-trip through JSON, as the pipeline loads models, so registered layer classes apply.
  const loaded = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
  model.dispose();
  return loaded;
}

/** Child mode: trains on one backend for `seconds` and prints {name, imagesPerSecond, threads}. */
async function runChild(name: BackendPreference, seconds: number): Promise<void> {
  const info = await initBackend(name);
  const tf = getTf();
  const model = await buildReferenceCnn();
  const optimizer = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([BATCH, 32, 32, 3], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2) as Tensor, 10);
  const step = (): void => {
    tf.tidy(() => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as Tensor) as Scalar);
    });
  };
  // The pure-JS cpu backend needs about a minute per step: one warm-up and one timed step.
  const minSteps = info.name === 'cpu' ? 1 : 3;
  for (let i = 0; i < minSteps; i++) step();
  let steps = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000 || steps < minSteps) {
    step();
    steps++;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;
  console.log(JSON.stringify({ name: info.name, imagesPerSecond: (steps * BATCH * 1000) / elapsed, cpuMsPerStep, threads: info.threads }));
}

/** Runs one measurement in a fresh process (each backend needs its own tfjs state). */
function measureBackend(name: string, seconds: number): BackendFigure | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'train.ts'), '--child', name, '--seconds', String(seconds)], {
    encoding: 'utf8', timeout: Math.max(600_000, seconds * 20_000),
  });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as BackendFigure;
    return parsed.name === name ? parsed : null;
  } catch {
    return null;
  }
}

/** The PyTorch peer's figure, or null when Debian's python3 has no torch. */
function measurePytorch(seconds: number): BackendFigure | null {
  const python = '/usr/bin/python3';
  const r = spawnSync(python, [join(here, 'torch_train.py'), String(availableParallelism()), String(seconds)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return null;
  try {
    const parsed = JSON.parse((r.stdout ?? '').trim().split('\n').pop() ?? '') as { imagesPerSecond: number; cpuMsPerStep: number };
    return { name: 'pytorch', imagesPerSecond: parsed.imagesPerSecond, cpuMsPerStep: parsed.cpuMsPerStep };
  } catch {
    return null;
  }
}

/** Parent mode: interleaves rounds of every backend and the PyTorch peer, then reports medians. */
function runParent(options: Options): void {
  const names = [...options.backends, 'pytorch'];
  const samples = new Map<string, BackendFigure[]>(names.map((b) => [b, []]));
  const loadBefore = loadavg()[0]!;
  for (let round = 0; round < options.rounds; round++) {
    for (const name of options.backends) {
      const figure = measureBackend(name, options.seconds);
      if (figure) samples.get(name)!.push(figure);
    }
    const t = measurePytorch(options.seconds);
    if (t) samples.get('pytorch')!.push(t);
  }
  const summary = (name: string): BackendFigure | null => {
    const list = samples.get(name) ?? [];
    if (list.length === 0) return null;
    const round1 = (v: number) => Math.round(v * 10) / 10;
    return { name, imagesPerSecond: round1(median(list.map((f) => f.imagesPerSecond))), cpuMsPerStep: round1(median(list.map((f) => f.cpuMsPerStep ?? 0))) };
  };
  const figures = options.backends.map(summary).filter((f): f is BackendFigure => f != null);
  const torch = summary('pytorch');
  if (options.json) {
    const backends = figures.map((f) => ({ name: f.name, imagesPerSecond: f.imagesPerSecond }));
    console.log(JSON.stringify({ batch: BATCH, backends, pytorchImagesPerSecond: torch?.imagesPerSecond ?? null }));
    return;
  }
  const cores = availableParallelism();
  console.log(`reference CNN (308k params, 32x32x3), batch ${BATCH}, fwd+bwd+SGD momentum; median of ${options.rounds} round(s) x ${options.seconds}s; ${cores} cores`);
  for (const name of options.backends) {
    const f = figures.find((x) => x.name === name);
    const ratio = f && torch ? `  ${(f.imagesPerSecond / torch.imagesPerSecond).toFixed(2)}x PyTorch` : '';
    console.log(`  ${name.padEnd(10)} ${f ? `${f.imagesPerSecond.toFixed(1).padStart(7)} images/s  (${f.cpuMsPerStep!.toFixed(0)} ms CPU/step)${ratio}` : 'unavailable'}`);
  }
  console.log(`  ${'pytorch'.padEnd(10)} ${torch ? `${torch.imagesPerSecond.toFixed(1).padStart(7)} images/s  (${torch.cpuMsPerStep!.toFixed(0)} ms CPU/step)` : 'unavailable (no torch in /usr/bin/python3; apt-get install python3-torch)'}`);
  const load = Math.max(loadBefore, loadavg()[0]!);
  if (load > cores) {
    console.log(`  note: the machine was busy (load ${load.toFixed(1)} on ${cores} cores); images/s are noisy and PyTorch's OpenMP spin-waits suffer most, CPU ms/step less so`);
  }
}

const options = parseOptions(process.argv.slice(2));
if (options.child) {
  if (!(BACKEND_NAMES as readonly string[]).includes(options.child)) throw new Error(`unknown backend ${options.child}`);
  await runChild(options.child as BackendPreference, options.seconds);
} else {
  runParent(options);
}
