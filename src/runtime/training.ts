// One training step in tfjs: distillation + cross-entropy loss (normalized MSE on raw outputs for dense-prediction models), SGD with momentum and weight decay, BN in training mode.
import * as tf from '@tensorflow/tfjs';
import { fail } from '../core/errors.ts';
import type { ModelBundle, WeightEntry } from '../core/types.ts';
import { ensureTrainingBackend } from './train-backend.ts';
import { SPREAD_FLOOR } from './output-fidelity.ts';
import { buildTrainableModel, outputsProbabilities, readModelWeights, singleOutput, toLogits } from './train-model.ts';

/** Loss and optimizer settings of a trainer. */
export interface TrainerOptions {
  /** The model to distill from (usually the unpruned one); without it the loss is cross-entropy only. */
  teacher?: ModelBundle;
  /** Distillation temperature (default 4). */
  temperature?: number;
  /** Weight of the distillation term; cross-entropy gets 1 − this (default 0.7 with a teacher). */
  distillWeight?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** L2 weight decay on kernels (rank ≥ 2), added to the gradient (default 5e-4). */
  weightDecay?: number;
  /** Backend to train on (default: the fastest available). */
  backend?: string;
}

/** A model being trained, step by step. */
export interface Trainer {
  /** Name of the tfjs backend the steps run on. */
  readonly backend: string;
  /**
   * One SGD step on a batch (`inputs`: batch × h × w × c normalized floats). Returns the loss
   * before the update.
   */
  step(inputs: Float32Array, labels: Int32Array, learningRate: number): number;
  /** The loss on a batch in inference mode (BN moving statistics, no update). */
  loss(inputs: Float32Array, labels: Int32Array): number;
  /** The bundle with the current weights (BN moving statistics included). */
  snapshot(): ModelBundle;
  /** Momentum buffers, named after their weights. */
  optimizerState(): WeightEntry[];
  /** Restore momentum buffers saved by {@link Trainer.optimizerState}. */
  loadOptimizerState(entries: WeightEntry[]): void;
  /** Live tensor count, for leak checks. */
  tensorCount(): number;
  dispose(): void;
}

/** The per-sample loss of a batch, averaged: (1−α)·CE(labels) + α·T²·KL(teacher_T ‖ student_T). */
function batchLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, classes: number, teacherLogits: tf.Tensor2D | undefined, t: number, alpha: number): tf.Scalar {
  const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
  if (!teacherLogits) return ce;
  const target = tf.softmax(tf.div(teacherLogits, t));
  const logStudent = tf.logSoftmax(tf.div(logits, t));
  const kl = tf.mean(tf.sum(tf.mul(target, tf.sub(tf.log(tf.clipByValue(target, 1e-12, 1)), logStudent)), 1));
  return tf.add(tf.mul(ce, 1 - alpha), tf.mul(kl, alpha * t * t)) as tf.Scalar;
}

/** The outputs of `model.apply` as a list. */
function allOutputs(y: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor[] {
  return (Array.isArray(y) ? y : [y]) as tf.Tensor[];
}

/**
 * Distillation of a dense-prediction model (several outputs, or maps): the mean over outputs of the
 * squared error to the teacher's raw output, each normalized by the teacher output's variance on the batch
 * (floored at {@link SPREAD_FLOOR} of its mean square).
 */
function denseLoss(student: tf.Tensor[], teacher: tf.Tensor[]): tf.Scalar {
  const terms = student.map((s, k) => {
    const t = teacher[k] as tf.Tensor;
    const { variance } = tf.moments(t);
    // An output that barely varies (a score map on images without objects) would blow the loss up: floor the spread at a share of its energy.
    const spread = tf.maximum(variance, tf.mul(tf.mean(tf.square(t)), SPREAD_FLOOR));
    return tf.div(tf.mean(tf.squaredDifference(s, t)), tf.add(spread, 1e-8));
  });
  return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
}

/** Create a trainer for `bundle` on the fastest (or the requested) training backend. */
export async function createTrainer(bundle: ModelBundle, options: TrainerOptions = {}): Promise<Trainer> {
  const backend = await ensureTrainingBackend(options.backend);
  const model = await buildTrainableModel(bundle);
  const teacher = options.teacher ? await buildTrainableModel(options.teacher) : undefined;
  const probabilities = outputsProbabilities(bundle);
  const teacherProbabilities = options.teacher ? outputsProbabilities(options.teacher) : false;
  const inputShape = (model.inputs[0]?.shape ?? []).slice(1) as number[];
  const classes = (model.outputs[0]?.shape ?? []).slice(-1)[0] ?? 0;
  // Several outputs or output maps: distillation on the raw outputs (box and class maps), no labels.
  const dense = model.outputs.length > 1 || (model.outputs[0]?.shape.length ?? 2) > 2;
  if (dense && !teacher) {
    model.dispose();
    fail('INVALID_DATA', { expected: 'a teacher to distill from (dense-prediction models train on their raw outputs)', found: 'no teacher', where: 'fine-tuning', hint: 'pass --teacher <the unpruned model>' });
  }
  if (teacher && dense) {
    const shapes = (m: typeof model): string => JSON.stringify(m.outputs.map((o) => o.shape));
    if (shapes(teacher) !== shapes(model)) {
      teacher.dispose();
      model.dispose();
      fail('INVALID_MODEL', { expected: `a teacher with outputs ${shapes(model)}`, found: shapes(teacher), where: '--teacher', hint: 'the teacher must be the same model before pruning' });
    }
  } else if (teacher && (teacher.outputs[0]?.shape ?? []).slice(-1)[0] !== classes) {
    teacher.dispose();
    model.dispose();
    fail('INVALID_MODEL', { expected: `a teacher with ${classes} outputs`, found: `${teacher.outputs[0]?.shape.slice(-1)[0]}`, where: '--teacher', hint: 'the teacher must be the same classifier before pruning' });
  }
  const t = options.temperature ?? 4;
  const alpha = teacher ? (options.distillWeight ?? 0.7) : 0;
  const momentum = options.momentum ?? 0.9;
  const decay = options.weightDecay ?? 5e-4;
  const trainable = model.trainableWeights.map((w) => ({ name: w.originalName, variable: w.read() as tf.Variable, decayed: w.shape.length >= 2 }));
  const velocity = new Map(trainable.map((w) => [w.name, tf.variable(tf.zerosLike(w.variable), false)]));
  const imageSize = inputShape.reduce((a, b) => a * b, 1);

  const tensors = (inputs: Float32Array, labels: Int32Array): { x: tf.Tensor; y: tf.Tensor1D; teacherLogits: tf.Tensor2D | undefined; teacherOutputs: tf.Tensor[] } => {
    const batch = labels.length;
    if (inputs.length !== batch * imageSize) {
      fail('INVALID_ARGUMENT', { expected: `${batch * imageSize} input values (${batch} × ${inputShape.join('×')})`, found: `${inputs.length}`, where: 'train step', hint: 'the data does not match the model input' });
    }
    const x = tf.tensor(inputs, [batch, ...inputShape]);
    const teacherOutputs = teacher && dense ? allOutputs(teacher.apply(x, { training: false })) : [];
    const teacherLogits = teacher && !dense ? toLogits(singleOutput(teacher.apply(x, { training: false })), teacherProbabilities) : undefined;
    return { x, y: tf.tensor1d(labels, 'int32'), teacherLogits, teacherOutputs };
  };

  return {
    backend,
    loss(inputs, labels) {
      return tf.tidy(() => {
        const { x, y, teacherLogits, teacherOutputs } = tensors(inputs, labels);
        if (dense) return denseLoss(allOutputs(model.apply(x, { training: false })), teacherOutputs).dataSync()[0] as number;
        const logits = toLogits(singleOutput(model.apply(x, { training: false })), probabilities);
        return batchLoss(logits, y, classes, teacherLogits, t, alpha).dataSync()[0] as number;
      });
    },
    step(inputs, labels, learningRate) {
      return tf.tidy(() => {
        const { x, y, teacherLogits, teacherOutputs } = tensors(inputs, labels);
        const { value, grads } = tf.variableGrads(() => {
          if (dense) return denseLoss(allOutputs(model.apply(x, { training: true })), teacherOutputs);
          const logits = toLogits(singleOutput(model.apply(x, { training: true })), probabilities);
          return batchLoss(logits, y, classes, teacherLogits, t, alpha);
        }, trainable.map((w) => w.variable));
        for (const w of trainable) {
          const g = grads[w.variable.name];
          const v = velocity.get(w.name);
          if (!g || !v) continue;
          const full = w.decayed && decay > 0 ? tf.add(g, tf.mul(w.variable, decay)) : g;
          v.assign(tf.add(tf.mul(v, momentum), full));
          w.variable.assign(tf.sub(w.variable, tf.mul(v, learningRate)));
        }
        return value.dataSync()[0] as number;
      });
    },
    snapshot: () => readModelWeights(model, bundle),
    optimizerState: () =>
      trainable.map((w) => {
        const v = velocity.get(w.name) as tf.Variable;
        return { name: w.name, shape: [...v.shape], dtype: 'float32' as const, data: Float32Array.from(v.dataSync() as Float32Array) };
      }),
    loadOptimizerState(entries) {
      for (const e of entries) {
        const v = velocity.get(e.name);
        if (!v || v.size !== e.data.length) {
          fail('INVALID_DATA', { expected: `momentum for weight ${e.name} with ${v?.size ?? '?'} values`, found: v ? `${e.data.length} values` : 'no such weight', where: 'checkpoint optimizer state', hint: 'the checkpoint belongs to another model; start without --resume' });
        }
        tf.tidy(() => v.assign(tf.tensor(e.data, v.shape)));
      }
    },
    tensorCount: () => tf.memory().numTensors,
    dispose() {
      for (const v of velocity.values()) v.dispose();
      model.dispose();
      teacher?.dispose();
    },
  };
}
