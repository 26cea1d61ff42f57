// `edge-prune export`: write TF.js Layers, TF.js graph and ONNX bundles, each parity-checked in its runtime.
import { Option, type Command } from 'commander';
import { choiceOption, numberOption } from '../options.ts';
import { fail } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { EXPORT_FORMATS, type ExportFormat, type ExportResult } from '../../export/types.ts';
import { loadModelArgument } from '../load-model.ts';
import { action, printResult } from '../output.ts';
import { sizeLines, weightsOption } from '../size-output.ts';

/** Options of the export command. */
interface ExportCliOptions {
  format: ExportFormat[];
  quantize?: 'float16' | 'uint8' | 'int8';
  calibration: 'minmax' | 'percentile';
  calibrationImages: number;
  weights?: 'float32' | 'float16' | 'uint8';
  foldBn?: boolean;
  data?: string;
  layout: 'nchw' | 'nhwc';
  out: string;
}

/** Parse `--format a,b` into known formats. */
function parseFormats(value: string): ExportFormat[] {
  const formats = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of formats) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(f)) {
      fail('INVALID_ARGUMENT', { expected: `formats among ${EXPORT_FORMATS.join(', ')}`, found: JSON.stringify(f), where: '--format', hint: 'e.g. --format tfjs,onnx' });
    }
  }
  if (formats.length === 0) fail('INVALID_ARGUMENT', { expected: 'at least one format', found: 'none', where: '--format', hint: 'e.g. --format tfjs,onnx' });
  return formats as ExportFormat[];
}

/** Progress lines on stderr (stdout stays clean for --json). */
const stderrLogger: Logger = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  progress: (event) => {
    if (event.done < event.total) process.stderr.write(`exporting ${event.detail ?? ''} (${event.done + 1}/${event.total}) and checking parity...\n`);
  },
};

/** Human summary of an export. */
function describe(result: ExportResult): string {
  const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
  const int8 = result.formats.some((f) => f.precision === 'int8');
  const lines = [`exported to ${result.outDir} (${result.encoding.written} weights${result.encoding.chosenBy === 'source' ? ', as the source stored them' : ''}${int8 ? '; ONNX statically quantized to int8 (QDQ)' : ''})`];
  for (const f of result.formats) {
    const extra = f.format === 'onnx' ? ` opset ${f.opset}, ${f.layout}` : '';
    const folded = f.foldedBatchNorm ? `, ${f.foldedBatchNorm} BN folded` : '';
    lines.push(
      `  ${f.format.padEnd(10)} ${f.entry.padEnd(22)} ${mb(f.totalBytes).padStart(10)}${extra}${folded}`,
      `  ${''.padEnd(10)} parity on ${f.parity.runtime}: max |diff| ${f.parity.maxAbsDiff.toExponential(2)} ${f.precision === 'int8' ? '(int8: reported, judged on images)' : `≤ ${f.parity.tolerance.toExponential(2)}`}, top-1 agreement ${(100 * f.parity.top1Agreement).toFixed(0)}% (${f.parity.compared}, ${f.parity.samples} seeded inputs)`,
    );
    const im = f.parity.images;
    if (im) lines.push(`  ${''.padEnd(10)} on ${im.n} images: top-1 agreement ${(100 * im.top1Agreement).toFixed(1)}%, max |diff| ${im.maxAbsDiff.toExponential(2)}${im.accuracy ? `, top-1 accuracy ${(100 * im.accuracy.export).toFixed(1)}% (source ${(100 * im.accuracy.source).toFixed(1)}%)` : ''}`);
  }
  lines.push(`  manifest   manifest.json`);
  return lines.join('\n');
}

/** Register the export command. */
export function register(program: Command): void {
  program
    .command('export')
    .description('export TF.js (Layers, graph) and ONNX bundles; each is loaded back in its runtime and must match the source')
    .argument('<model.json>', 'a TF.js Layers model')
    .requiredOption('--out <dir>', 'output folder (replaced whole; must be empty, new, or a previous export)')
    .addOption(new Option('--format <list>', `comma-separated: ${EXPORT_FORMATS.join(', ')}`).argParser(parseFormats).default([...EXPORT_FORMATS], EXPORT_FORMATS.join(',')))
    .addOption(weightsOption())
    .addOption(choiceOption('--quantize <dtype>', 'int8: static int8 ONNX (QDQ, integer kernels in onnxruntime), calibrated on --data; float16|uint8: the same as --weights', ['float16', 'uint8', 'int8']))
    .addOption(choiceOption('--calibration <method>', 'int8 activation ranges: minmax, or percentile (99.99%, clips outliers)', ['minmax', 'percentile'], 'minmax'))
    .addOption(numberOption('--calibration-images <n>', 'int8: calibration images taken from --data (its train/ split)', { integer: true, min: 1, max: 4096 }, 256))
    .option('--data <dir>', 'also compare on up to 256 held-out images of this folder (or IDX files): top-1 agreement, and accuracy when labelled')
    .option('--fold-bn', 'ONNX: fold BatchNormalization into the preceding conv/dense (the graph model always folds)')
    .addOption(choiceOption('--layout <layout>', 'ONNX image layout: nchw (channel-first, weights transposed) or nhwc', ['nchw', 'nhwc'], 'nchw'))
    .addHelpText(
      'after',
      [
        '',
        'Output: <out>/tfjs/model.json, <out>/tfjs-graph/model.json, <out>/onnx/model.onnx, <out>/manifest.json.',
        'Parity: each bundle is run on 16 seeded inputs (and --data images) and compared with the source model in tfjs,',
        'as logits where the model ends in Softmax (log-probabilities, centred);',
        'tolerance max|diff| <= f * max(1, max|source|) with f = 1e-4 (float32), 1e-2 (float16), 1e-1 (uint8).',
        'Weights: stored as the source stored them (a uint8-quantized model stays uint8); --weights overrides.',
        'TF.js has no integer kernels: uint8/float16 weights shrink the download and are dequantized to float32 on load.',
        '',
        'int8: --quantize int8 --data <dir> writes the ONNX model in QDQ form (int8 per-channel weights, uint8',
        'activations calibrated on --calibration-images of <dir>/train), which onnxruntime runs with integer kernels;',
        'it is judged by top-1 agreement with the source (>= 90%) and accuracy on held-out images of <dir>/test.',
        '',
        'Examples:',
        '  edge-prune export model.json --out dist/',
        '  edge-prune export model.json --format onnx --fold-bn --layout nhwc --out dist-onnx/',
        '  edge-prune export model.json --format tfjs,tfjs-graph --quantize uint8 --out dist-q/ --json',
        '  edge-prune export model.json --format onnx --quantize int8 --data samples/data --out dist-int8/',
      ].join('\n'),
    )
    .action(
      action(async (modelPath: string, opts: ExportCliOptions, cmd: Command) => {
        const formats = opts.format;
        const global = cmd.optsWithGlobals<{ json?: boolean }>();
        const bundle = await loadModelArgument(modelPath);
        const { exportBundle } = await import('../../export/export-bundle.ts');
        if (opts.quantize === 'int8' && !opts.data) {
          fail('INVALID_ARGUMENT', { expected: '--data <dir> with --quantize int8', found: 'no --data', where: '--quantize int8', hint: 'int8 activations are calibrated on images: e.g. --quantize int8 --data samples/data' });
        }
        const pick = await import('../../export/parity-images.ts');
        const split = opts.data && opts.quantize === 'int8' ? await pick.loadCalibrationImages(bundle, opts.data, opts.calibrationImages, 256) : undefined;
        const images = split?.evaluation ?? (opts.data ? await pick.loadParityImages(bundle, opts.data, 256) : undefined);
        const result = await exportBundle(bundle, {
          ...(images ? { images } : {}),
          ...(split ? { calibration: { images: split.calibration, method: opts.calibration } } : {}),
          formats,
          ...(opts.quantize ? { quantize: opts.quantize } : {}),
          ...(opts.weights ? { weights: opts.weights } : {}),
          foldBn: opts.foldBn === true,
          layout: opts.layout,
          outDir: opts.out,
          ...(global.json ? {} : { logger: stderrLogger }),
        });
        const { analyzeModel } = await import('../../analyze/analyze-model.ts');
        const { exportSizeFigures } = await import('../../export/export-sizes.ts');
        const params = analyzeModel(bundle).cost.params;
        const size = await exportSizeFigures(result, modelPath, bundle, { before: params, after: params });
        printResult(global, { ...result, size }, () => [describe(result), ...sizeLines(size)].join('\n'));
      }),
    );
}
