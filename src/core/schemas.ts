// Zod schemas for device profiles and deployment targets (DESIGN.md §5), with file-and-field errors.
import { z } from 'zod';
import { describeValue, fail } from './errors.ts';
import { METHODS, RUNTIMES } from './runtime-names.ts';

export { METHODS, RUNTIMES, HOST_RUNTIMES, type RuntimeName } from './runtime-names.ts';

/**
 * Kinds of work the latency model tells apart (src/latency/layer-work.ts maps layers to them):
 * `conv`, `depthwise` and `dense` count multiply-accumulates; the others count elements:
 * `batchnorm`; `clip` is a relu6 activation function (fused into a layer's `activation` or an
 * Activation layer); `activation` any other non-ReLU activation function (sigmoid, tanh, softmax,
 * elu, ...); `pool` the elements pooling windows read (max, average, global); `elementwise` ReLU
 * layers, merges (Add, Multiply, ...), padding and concatenation.
 */
export const OP_KINDS = ['conv', 'depthwise', 'dense', 'batchnorm', 'clip', 'activation', 'pool', 'elementwise'] as const;
/** An op kind. */
export type OpKind = (typeof OP_KINDS)[number];

/**
 * Where a figure came from: `spec` (a published spec sheet), `measured` (measured here on the host),
 * `derived` (computed from a published benchmark, the arithmetic stated in `source`), or
 * `assumption` (a stated assumption, not a measurement).
 */
export const BASES = ['spec', 'measured', 'derived', 'assumption'] as const;

const basis = z.enum(BASES);
const source = z.string().min(1);
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase name of letters, digits and dashes');

/** A number with where it came from. */
function sourced(value: z.ZodNumber) {
  return z.strictObject({ value, basis, source });
}

const positive = () => z.number().finite().positive();
const nonNegative = () => z.number().finite().nonnegative();

/** A text fact (a chip name, a memory type) with its source. */
const sourcedText = z.strictObject({ value: z.string().min(1), basis, source });

/** A published or measured latency of a reference model, used to derive or calibrate coefficients. */
const referenceLatency = z.strictObject({
  model: z.string().min(1),
  runtime: z.enum(RUNTIMES),
  latencyMs: positive(),
  basis,
  source,
});

/** Effective throughput per op kind, in G (multiply-accumulates or element operations) per second. */
const throughput = z.strictObject(
  Object.fromEntries(OP_KINDS.map((k) => [k, sourced(positive())])) as Record<OpKind, ReturnType<typeof sourced>>,
);

/** Summary of the host calibration fit that produced a runtime's `measured` coefficients. */
const calibrationFit = z.strictObject({
  measuredAt: z.string().min(1),
  runtimeVersion: z.string().min(1),
  shapes: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
  runs: z.number().int().positive(),
  statistic: z.enum(['median', 'min']),
  /** `alone`: each model was loaded and timed by itself; `pool`: all stayed loaded, turns interleaved. */
  residency: z.enum(['alone', 'pool']).optional(),
  medianAbsErrorPct: nonNegative(),
  p95AbsErrorPct: nonNegative(),
  /**
   * Measured ms (the fitted statistic) of the anchor networks, the samples unpruned and two of their
   * fitted variants, at calibration time. A later timing session times them again: their ratio is how much faster or slower the host
   * runs now (shared hosts drift), which `npm run bench` reports and corrects for.
   */
  anchors: z.record(z.string().min(1), positive()).optional(),
});

/** The cost terms of a runtime's latency model (float32, and int8 on runtimes with integer kernels). */
const costTerms = {
  /** Fixed cost of one inference call (input upload, dispatch, output read-back). */
  inferenceOverheadMs: sourced(nonNegative()),
  /** Fixed cost per executed layer (op dispatch, allocation). */
  layerOverheadMs: sourced(nonNegative()),
  /** Bytes of a layer's traffic that stay in cache (last-level or system cache); the rest streams from memory. */
  cacheMb: sourced(positive()),
  /** Effective memory bandwidth in GB/s for the bytes beyond `cacheMb` that a layer moves. */
  bandwidthGBs: sourced(positive()),
  throughputGops: throughput,
  /**
   * Channel block of the runtime's conv kernels: conv and depthwise work is computed with output
   * channels (and input channels of at least one block) rounded up to a multiple of it. onnxruntime
   * on x86 runs convs in its NCHWc layout (blocks of 8 channels with AVX2, 16 with AVX-512). Absent: 1 (no padding).
   */
  channelBlock: sourced(z.number().int().positive()).optional(),
};

/**
 * The runtime's costs when it runs an int8 (QDQ) model on its integer kernels: the same terms as the
 * float32 model (fitted the same way on int8 probe models), absent for runtimes without int8 kernels.
 */
const int8Model = z.strictObject({
  ...costTerms,
  calibration: calibrationFit.optional(),
});

/** The latency model's coefficients for one runtime on one device. */
const runtimeModel = z.strictObject({
  /** Threads the coefficients describe; a target on this runtime must use the same count. */
  threads: z.number().int().positive(),
  simd: z.boolean(),
  ...costTerms,
  /**
   * What the runtime's graph optimizer fuses into the conv or dense layer before it: `batchnorm`
   * (a BatchNormalization right after it) and `activation` (an activation right after it or inside
   * it). Fused work costs nothing (ONNX Runtime does both; a tfjs Layers model runs every layer).
   */
  fuses: z.array(z.enum(['batchnorm', 'activation'])).optional(),
  reference: referenceLatency.optional(),
  calibration: calibrationFit.optional(),
  /** int8 (QDQ) costs per op kind, for runtimes whose targets compute in int8 (onnxruntime). */
  int8: int8Model.optional(),
});

const cluster = z.strictObject({ count: z.number().int().positive(), core: z.string().min(1), maxClockGHz: positive() });

/** A device profile: what a device is and how fast it runs each kind of work. */
export const ProfileSchema = z.strictObject({
  name: slug,
  device: z.string().min(1),
  class: z.enum(['phone', 'board', 'host']),
  soc: sourcedText,
  cpu: z.strictObject({
    cores: sourced(z.number().int().positive()),
    clusters: z.strictObject({ value: z.array(cluster).min(1), basis, source }),
  }),
  gpu: sourcedText.optional(),
  memory: z.strictObject({
    totalGb: sourced(positive()),
    type: sourcedText.optional(),
    peakBandwidthGBs: sourced(positive()).optional(),
  }),
  runtimes: z
    .partialRecord(z.enum(RUNTIMES), runtimeModel)
    .refine((r) => Object.keys(r).length > 0, 'at least one runtime'),
  emulation: z.strictObject({
    /** Runtime the throttling rate is (to be) calibrated for. */
    runtime: z.enum(RUNTIMES),
    /** Chromium `Emulation.setCPUThrottlingRate` rate; 1 means no throttling. */
    cpuThrottlingRate: z.strictObject({ value: z.number().finite().min(1), basis, source }),
    calibrated: z.boolean(),
    reference: referenceLatency,
  }),
  notes: z.array(z.string()).optional(),
});

/** A validated device profile. */
export type Profile = z.infer<typeof ProfileSchema>;
/** A validated runtime entry of a profile. */
export type RuntimeModel = z.infer<typeof runtimeModel>;
/** The int8 entry of a runtime model. */
export type Int8Model = z.infer<typeof int8Model>;
/** A number with its basis and source. */
export type Sourced = z.infer<ReturnType<typeof sourced>>;

/** Export formats a target can ask for: the names `exportBundle` takes (src/export/types.ts). */
export const EXPORT_FORMATS = ['tfjs', 'tfjs-graph', 'onnx'] as const;
/** Weight encodings of an export. */
export const QUANTIZATIONS = ['float32', 'float16', 'uint8'] as const;

/** Precisions a runtime computes in: float32, or int8 on integer kernels (a QDQ model). */
export const COMPUTE_PRECISIONS = ['float32', 'int8'] as const;
/** One of `COMPUTE_PRECISIONS`. */
export type ComputePrecision = (typeof COMPUTE_PRECISIONS)[number];

/** A deployment target: what `--target <name>` means. */
export const TargetSchema = z
  .strictObject({
    name: slug,
    description: z.string().min(1),
    profile: slug,
    runtime: z.enum(RUNTIMES),
    backend: z.strictObject({
      name: z.enum(['wasm', 'webgl', 'cpu']),
      threads: z.number().int().positive(),
      simd: z.boolean(),
      environment: z.string().min(1),
    }),
    exportFormats: z.array(z.enum(EXPORT_FORMATS)).min(1), // the first is deployed, predicted and measured
    quantization: z.enum(QUANTIZATIONS),
    /**
     * What the runtime executes fast: `compute` precisions it has kernels for (int8 = QDQ/QLinear
     * integer kernels) and the weight encodings it loads (tfjs dequantizes uint8/float16 to float32).
     */
    encodings: z
      .strictObject({ compute: z.array(z.enum(COMPUTE_PRECISIONS)).min(1), weights: z.array(z.enum([...QUANTIZATIONS, 'int8'])).min(1), note: z.string().min(1) })
      .optional(),
    budget: z.strictObject({
      latencyMs: positive(),
      memoryMb: positive(),
      modelSizeMb: positive(),
      maxAccuracyDrop: z.number().finite().min(0).max(1).optional(),
    }),
    channelRounding: z.number().int().min(1).max(256),
    measurement: z.strictObject({
      methods: z.array(z.enum(METHODS)).min(1),
      default: z.enum(METHODS),
      warmup: z.number().int().nonnegative(),
      runs: z.number().int().positive(),
    }),
    notes: z.array(z.string()).optional(),
  })
  .superRefine((t, ctx) => {
    if (!t.measurement.methods.includes(t.measurement.default)) {
      ctx.addIssue({ code: 'custom', path: ['measurement', 'default'], message: `one of measurement.methods (${t.measurement.methods.join(', ')})`, input: t.measurement.default });
    }
    const needs = t.runtime.startsWith('tfjs') ? ['tfjs', 'tfjs-graph'] : ['onnx'];
    if (!t.exportFormats.some((f) => needs.includes(f))) {
      ctx.addIssue({ code: 'custom', path: ['exportFormats'], message: `a format runtime ${t.runtime} loads (${needs.join(' or ')})`, input: t.exportFormats });
    }
  });

/** A validated target. */
export type Target = z.infer<typeof TargetSchema>;

/** The value at a path inside parsed JSON, or undefined. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = data;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** A short printable form of a found value. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  return describeValue(value, 80);
}

/** Dotted field path, e.g. `runtimes.tfjs-wasm.throughputGops.conv.value`. */
function dotted(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/**
 * Validate parsed JSON against a schema; on failure throw INVALID_CONFIG naming the file and the
 * first offending field path (later issues are listed in the hint).
 */
export function parseConfig<S extends z.ZodType>(schema: S, data: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  if (!first) fail('INTERNAL', { expected: 'a validation issue', found: 'none', where: file, hint: 'report this bug' });
  let path: PropertyKey[] = [...first.path];
  let expected = first.message.replace(/^Invalid input: expected /, '').replace(/^Invalid option: expected /, '');
  let found = describe(valueAt(data, path));
  if (first.code === 'unrecognized_keys') {
    const key = first.keys[0] ?? '?';
    path = [...path, key];
    expected = `no field "${key}" here (check its spelling)`;
    found = `an unknown field "${key}"`;
  } else if (first.code === 'invalid_type' && valueAt(data, path) === undefined) {
    expected = `a ${first.expected} (the field is required)`;
  }
  const more = issues.slice(1, 4).map((i) => dotted(i.path));
  fail('INVALID_CONFIG', {
    expected,
    found,
    where: `${file}: field ${dotted(path)}`,
    hint:
      `fix the field in ${file}` +
      (more.length > 0 ? `; other fields with problems: ${more.join(', ')}${issues.length > 4 ? ', ...' : ''}` : ''),
  });
}
