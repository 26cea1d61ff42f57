// Command line of `npm run bench:criteria`: samples, cuts, criteria, seeds, fine-tuning budget, output folder.
import { resolve } from 'node:path';
import { maskQueueUrl } from '../../src/queue/queue-url.ts';
import { parseArgs } from 'node:util';

/** One sample to benchmark: a name and its model.json. */
export interface SampleSpec {
  name: string;
  model: string;
}

/** Everything the benchmark run is configured by. */
export interface BenchOptions {
  samples: SampleSpec[];
  /** MACs cuts per sample name (`--cuts` applies one list to every sample). */
  cuts: (sample: string) => number[];
  criteria: string[];
  /** Criteria compared inside the budget-driven search (empty: no budget rows). */
  budgetCriteria: string[];
  /** MACs cut whose predicted pixel7 latency becomes the budget of the search rows. */
  budgetCut: number;
  seeds: number[];
  epochs: number;
  /** Training images used for fine-tuning (0: all). */
  trainLimit: number;
  /** Test images for the accuracy figures (0: all). */
  testLimit: number;
  /** Kept channel counts of the cut rows are multiples of this (default 8, as the pixel7 target rounds). */
  round: number;
  /** Training images for BatchNorm re-estimation after pruning. */
  bnImages: number;
  /** Interleaved latency rounds and timed runs per round per bundle. */
  latencyRounds: number;
  latencyRuns: number;
  data: string;
  out: string;
  /** Where RESULTS.md goes: bench/RESULTS.md for the default output folder, else `<out>/RESULTS.md`. */
  resultsMd: string;
  backend?: string;
  /** The command line as typed (for RESULTS.md; a queue URL's password masked). */
  command: string;
  /** `--queue <url> --store <dir>`: rows run as jobs on `edge-prune worker --jobs bench/criteria/row-jobs.ts`. */
  queue?: { url: string; store: string };
}

/** Default cuts: 50% and 75% for every sample, plus 82% for VGG (the paper's regime is −81.5% FLOPs). */
const DEFAULT_CUTS: Record<string, number[]> = { vgg: [0.5, 0.75, 0.82] };
const DEFAULT_OUT = 'bench/results';

/** A comma-separated list of numbers, or an error naming the flag. */
function parseNumbers(text: string, flag: string, check: (n: number) => boolean): number[] {
  const values = text.split(',').filter(Boolean).map(Number);
  if (values.length === 0 || values.some((n) => !check(n))) throw new Error(`${flag}: expected a comma-separated list, found "${text}"`);
  return values;
}

/** A whole number ≥ min from a flag. */
function parseCount(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected a whole number ≥ ${min}, found "${text}"`);
  return n;
}

/** `vgg`, `resnet` or `name=path/to/model.json`. */
function parseSample(text: string): SampleSpec {
  const eq = text.indexOf('=');
  if (eq > 0) return { name: text.slice(0, eq), model: resolve(text.slice(eq + 1)) };
  return { name: text, model: resolve('samples', text, 'model.json') };
}

/** An argument as RESULTS.md may show it: a queue URL's password masked. */
function maskArg(arg: string): string {
  const eq = arg.startsWith('--queue=') ? '--queue='.length : 0;
  return /^rediss?:/.test(arg.slice(eq)) ? `${arg.slice(0, eq)}${maskQueueUrl(arg.slice(eq))}` : arg;
}

/** Parse argv (without node and the script). Throws an Error with a plain message on bad flags. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      samples: { type: 'string', default: 'vgg,resnet' },
      cuts: { type: 'string' },
      criteria: { type: 'string', default: 'fscl,l1,fpgm,random' },
      'budget-criteria': { type: 'string', default: 'fscl,l1' },
      'budget-cut': { type: 'string', default: '0.6' },
      seeds: { type: 'string', default: '1' },
      epochs: { type: 'string', default: '1' },
      'train-limit': { type: 'string', default: '0' },
      'test-limit': { type: 'string', default: '0' },
      'bn-images': { type: 'string', default: '2048' },
      round: { type: 'string', default: '8' },
      'latency-rounds': { type: 'string', default: '6' },
      'latency-runs': { type: 'string', default: '30' },
      data: { type: 'string', default: '../shared/datasets/cifar10' },
      out: { type: 'string', default: DEFAULT_OUT },
      backend: { type: 'string' },
      queue: { type: 'string' },
      store: { type: 'string' },
    },
  });
  if (values.queue && !values.store) throw new Error('--queue needs --store <dir> (the folder the workers share)');
  const cutCheck = (n: number): boolean => n > 0 && n < 0.98;
  const given = values.cuts ? parseNumbers(values.cuts, '--cuts', cutCheck) : undefined;
  const out = resolve(values.out);
  const budgetCriteria = values['budget-criteria'] === 'none' ? [] : values['budget-criteria'].split(',').filter(Boolean);
  return {
    samples: values.samples.split(',').filter(Boolean).map(parseSample),
    cuts: (sample) => given ?? DEFAULT_CUTS[sample] ?? [0.5, 0.75],
    criteria: values.criteria.split(',').filter(Boolean),
    budgetCriteria,
    budgetCut: parseNumbers(values['budget-cut'], '--budget-cut', cutCheck)[0] as number,
    seeds: parseNumbers(values.seeds, '--seeds', (n) => Number.isInteger(n) && n >= 0),
    epochs: parseCount(values.epochs, '--epochs', 1),
    trainLimit: parseCount(values['train-limit'], '--train-limit', 0),
    testLimit: parseCount(values['test-limit'], '--test-limit', 0),
    round: parseCount(values.round, '--round', 1),
    bnImages: parseCount(values['bn-images'], '--bn-images', 64),
    latencyRounds: parseCount(values['latency-rounds'], '--latency-rounds', 1),
    latencyRuns: parseCount(values['latency-runs'], '--latency-runs', 1),
    data: resolve(values.data),
    out,
    resultsMd: out === resolve(DEFAULT_OUT) ? resolve('bench/RESULTS.md') : resolve(out, 'RESULTS.md'),
    ...(values.backend ? { backend: values.backend } : {}),
    command: ['npm run bench:criteria', ...(argv.length ? ['--', ...argv.map(maskArg)] : [])].join(' '),
    ...(values.queue && values.store ? { queue: { url: values.queue, store: resolve(values.store) } } : {}),
  };
}
