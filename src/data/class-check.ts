// Class-count check: the data's classes (folder names or IDX label range) must match the model's outputs.
import { buildGraph } from '../analyze/graph.ts';
import { fail } from '../core/errors.ts';
import type { ModelBundle } from '../core/types.ts';
import type { ImageDataset } from './dataset.ts';
import type { DataSplits } from './load-data.ts';
import { readClassNames } from './normalization.ts';

/** What the model predicts: its number of output units and, when its metadata names them, the class names. */
export interface ModelClasses {
  units: number;
  names?: string[];
}

/** A short list of names for messages: the first few, then how many more. */
function listNames(names: string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … (${names.length - max} more)`;
}

/**
 * The model's classes: the last axis of its (first) output and the `classes` in its edge-prune
 * metadata. Fails with INVALID_MODEL when the metadata names a different number of classes than the
 * model has output units.
 */
export function readModelClasses(bundle: ModelBundle): ModelClasses {
  const graph = buildGraph(bundle, { lockUnknown: true });
  const output = graph.nodes.find((n) => n.name === graph.outputs[0]);
  const units = output?.outputShape[output.outputShape.length - 1];
  if (typeof units !== 'number' || !(units >= 1)) {
    fail('INVALID_MODEL', { expected: 'a classifier whose output has a known number of units', found: `output shape ${JSON.stringify(output?.outputShape ?? null)}`, where: `model output ${graph.outputs[0] ?? '(none)'}`, hint: 'finetune and eval need a classifier ending in Dense(classes)' });
  }
  const names = readClassNames(bundle);
  if (names && names.length !== units) {
    fail('INVALID_MODEL', { expected: `${units} class names (the model's ${units} output units)`, found: `${names.length} names in the metadata (${listNames(names)})`, where: 'model.json userDefinedMetadata.edgePrune.classes', hint: 'fix or remove the classes list in the model metadata' });
  }
  return { units, ...(names ? { names } : {}) };
}

/**
 * Check an image folder's class sub-folders (sorted names) against the model, before any image is
 * decoded: the same names as the model's metadata `classes` when it has them, else as many folders
 * as the model has output units. Fails with INVALID_DATA naming both counts and both name lists.
 */
export function requireFolderClassesFit(model: ModelClasses, folders: string[], where: string): void {
  const expected = model.names
    ? `${model.units} classes, one sub-folder each, named ${listNames(model.names)} (the model's metadata classes)`
    : `${model.units} classes, one sub-folder each (the model has ${model.units} output units)`;
  const found = `${folders.length} class folder${folders.length === 1 ? '' : 's'}: ${listNames(folders)}`;
  if (folders.length !== model.units) {
    fail('INVALID_DATA', { expected, found, where, hint: `the data must hold one sub-folder per class the model predicts (${model.units}, found ${folders.length}); pass a matching --data folder, or use a model with ${folders.length} outputs` });
  }
  if (model.names && model.names.join('\n') !== folders.join('\n')) {
    const missing = model.names.filter((n) => !folders.includes(n));
    const extra = folders.filter((n) => !model.names?.includes(n));
    const diff = missing.length || extra.length ? `missing ${missing.length ? listNames(missing) : 'none'}; unexpected ${extra.length ? listNames(extra) : 'none'}` : 'the same names in another order';
    fail('INVALID_DATA', { expected, found: `${found} (${diff})`, where, hint: 'rename the class sub-folders to the model\'s class names (labels follow the sorted folder names)' });
  }
}

/**
 * Check an IDX dataset's label range against the model: every label must be below the number of
 * output units. The dataset's classes become the model's (its metadata names, else `0..units-1`),
 * so a file that holds only some of the classes still fits.
 */
export function fitIdxLabels(model: ModelClasses, data: ImageDataset): void {
  let max = -1;
  for (const label of data.labels) if (label > max) max = label;
  if (max >= model.units) {
    fail('INVALID_DATA', { expected: `labels 0..${model.units - 1} (the model has ${model.units} output units)`, found: `labels up to ${max} (${max + 1} classes)`, where: data.source, hint: `the IDX labels name ${max + 1} classes but the model predicts ${model.units}; pass matching labels or use a model with ${max + 1} outputs` });
  }
  data.classes = model.names ? [...model.names] : Array.from({ length: model.units }, (_, i) => String(i));
}

/** Check every loaded split against the model (image folders again, IDX label ranges for the first time). */
export function requireSplitsFit(model: ModelClasses, splits: DataSplits): void {
  const idx = splits.layout === 'idx-file' || splits.layout === 'idx-folder';
  for (const data of [splits.train, splits.test, splits.all]) {
    if (!data || data.unlabelled) continue;
    if (idx) fitIdxLabels(model, data);
    else requireFolderClassesFit(model, data.classes, data.source);
  }
}

/** Check that a distillation teacher predicts the same classes as the student (same units, same metadata names when both have them). */
export function requireTeacherFits(student: ModelBundle, teacher: ModelBundle): void {
  const s = readModelClasses(student);
  const t = readModelClasses(teacher);
  const sameNames = !s.names || !t.names || s.names.join('\n') === t.names.join('\n');
  if (s.units !== t.units || !sameNames) {
    const describe = (m: ModelClasses): string => `${m.units} output units${m.names ? ` (${listNames(m.names)})` : ''}`;
    fail('INVALID_ARGUMENT', { expected: `a teacher with the model's classes: ${describe(s)}`, found: `a teacher with ${describe(t)}`, where: '--teacher', hint: 'distill from the unpruned version of the same model' });
  }
}
