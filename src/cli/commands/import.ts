// `edge-prune import`: convert a foreign model (ONNX) into the internal TF.js Layers bundle, checked against the original.
import type { Command } from 'commander';
import { analyzeModel } from '../../analyze/analyze-model.ts';
import { requireSeparateOutput } from '../../bundle/safe-path.ts';
import { writeBundle } from '../../bundle/write-bundle.ts';
import { detectModelFormat } from '../../import/load-model.ts';
import { loadModelArgument } from '../load-model.ts';
import { action, printResult } from '../output.ts';
import type { WeightsChoice } from '../../bundle/encoding.ts';
import { measureSizes, sizeLines, weightsOption } from '../size-output.ts';

/** Options of the import command. */
interface ImportOptions {
  out: string;
  check: boolean;
  weights?: WeightsChoice;
}

/** Register the import command. */
export function register(program: Command): void {
  program
    .command('import')
    .description('convert a model (ONNX from torch.onnx.export, or a model.json) into a TF.js Layers bundle every command can prune')
    .argument('<model>', 'an .onnx file (external data beside it is read too) or a model.json; the format is detected by content')
    .requiredOption('--out <dir>', 'folder for model.json and its shards')
    .option('--no-check', 'skip comparing the imported model with the original in onnxruntime')
    .addOption(weightsOption())
    .addHelpText('after', '\nExamples:\n  edge-prune import resnet18.onnx --out resnet18/\n  edge-prune analyze resnet18/model.json\n\nEvery other command also takes the .onnx file directly.')
    .action(
      action(async (modelPath: string, opts: ImportOptions, cmd: Command) => {
        await requireSeparateOutput(opts.out, modelPath);
        const format = await detectModelFormat(modelPath);
        const bundle = await loadModelArgument(modelPath);
        const { cost, groups } = analyzeModel(bundle);
        let fidelity: { maxAbsDiff: number; tolerance: number } | undefined;
        if (opts.check && format === 'onnx') {
          const { checkOnnxFidelity } = await import('../../import/onnx/check-fidelity.ts');
          fidelity = await checkOnnxFidelity(modelPath, bundle);
        }
        const model = await writeBundle(bundle, opts.out, opts.weights ? { weights: opts.weights } : {});
        const size = await measureSizes(modelPath, bundle, { before: cost.params, after: cost.params }, [{ what: 'model', path: model, bundle, weights: opts.weights }]);
        const layers = ((bundle.topology['config'] as { layers?: unknown[] } | undefined)?.layers ?? []).length;
        const result = { model, format: format ?? 'layers-json', layers, macs: cost.macs, params: cost.params, prunableGroups: groups.filter((g) => !g.locked).length, fidelity: fidelity ?? null, size };
        printResult(cmd.optsWithGlobals(), result, () =>
          [
            `imported ${modelPath} (${result.format}): ${layers} layers, ${cost.params} params, ${cost.macs} MACs, ${result.prunableGroups} prunable channel groups`,
            fidelity ? `fidelity vs onnxruntime: max |diff| ${fidelity.maxAbsDiff.toExponential(2)} (tolerance ${fidelity.tolerance.toExponential(2)})` : 'fidelity not checked',
            ...sizeLines(size),
            `wrote ${model}`,
          ].join('\n'),
        );
      }),
    );
}
