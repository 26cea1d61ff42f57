// Registers a BatchNormalization layer class whose training pass uses the fused batch-norm op (same config, same maths).
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import { batchNormTrain } from './batch-norm-training.ts';

/** The fields of tfjs-layers' BatchNormalization the fused path reads (private in its typings). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type LayerCall = (inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
type LayerClass = (new (args?: object) => tf.layers.Layer) & { className: string };

/** tfjs-layers' own BatchNormalization class (not exported by name). */
function stockBatchNormClass(): LayerClass {
  return tf.layers.batchNormalization({}).constructor as LayerClass;
}

let installed = false;

/**
 * Re-registers 'BatchNormalization' for deserialization (tf.models.modelFromJSON and
 * tf.loadLayersModel) with a subclass whose training-mode call runs the fused op of
 * batch-norm-training.ts. Inference, configs and weights are unchanged. Idempotent.
 */
export function installFastBatchNorm(): void {
  if (installed) return;
  const Stock = stockBatchNormClass();
  const stockCall = Stock.prototype.call as LayerCall;
  class FastBatchNormalization extends Stock {
    static override className = Stock.className;
    override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
      const self = this as unknown as BatchNormFields;
      const input = Array.isArray(inputs) ? inputs[0] : inputs;
      const lastAxis = input != null && (self.axis === -1 || self.axis === input.rank - 1);
      if (kwargs.training !== true || !input || !lastAxis || input.rank < 2 || !self.gamma || !self.beta) {
        return stockCall.call(this, inputs, kwargs);
      }
      return tf.tidy(() => {
        const { y, mean, variance } = batchNormTrain(input, self.gamma!.read(), self.beta!.read(), self.epsilon);
        try {
          for (const [variable, value] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
            tf.tidy(() => {
              const orig = variable.read();
              variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - self.momentum)));
            });
          }
        } finally {
          mean.dispose();
          variance.dispose();
        }
        return y;
      });
    }
  }
  tf.serialization.registerClass(FastBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
  installed = true;
}
