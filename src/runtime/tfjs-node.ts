// Loads @tensorflow/tfjs-node (TensorFlow's C library) when its binding is built, and gives it native ReLU gradients.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { registerPointwiseStrideFilterGrad } from './pointwise-stride-gradient.ts';

const require = createRequire(import.meta.url);

/** The slice of tfjs-node's backend used to run TensorFlow ops directly. */
interface NodeBackend {
  binding: Record<string, number> & { TF_Version?: string };
  executeSingleOutput(name: string, attrs: unknown[], inputs: Tensor[]): Tensor;
}

/** Outcome of trying to load tfjs-node. */
export interface TfjsNodeLoad {
  ok: boolean;
  /** TensorFlow version of the loaded C library, or why loading failed. */
  detail: string;
}

let loaded: TfjsNodeLoad | null = null;

/**
 * Environment TensorFlow reads when its runtime starts (only fills what the user left unset):
 * quiet logs, and one inter-op thread with `threads` intra-op threads (measured fastest on 2 cores).
 */
function setTensorflowEnv(threads: number): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
}

/**
 * Requires tfjs-node once (it registers the 'tensorflow' backend and selects it). Never throws:
 * a missing or broken binding is reported in the result.
 */
export function loadTfjsNode(threads: number): TfjsNodeLoad {
  if (loaded) return loaded;
  setTensorflowEnv(threads);
  try {
    require('@tensorflow/tfjs-node');
    const backend = tf.findBackend('tensorflow') as unknown as NodeBackend | null;
    loaded = { ok: backend != null, detail: `TensorFlow ${backend?.binding.TF_Version ?? '?'}` };
    if (loaded.ok) {
      registerNativeReluGradients();
      registerPointwiseStrideFilterGrad();
    }
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    loaded = { ok: false, detail: /can not be found/.test(message) ? 'the tfjs-node binding is not built' : message };
  }
  return loaded;
}

/** Runs one TensorFlow op on the tfjs-node backend. */
function runTf(name: string, inputs: Tensor[]): Tensor {
  const backend = tf.backend() as unknown as NodeBackend;
  const b = backend.binding;
  return backend.executeSingleOutput(name, [{ name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }], inputs);
}

/**
 * Replaces the ReLU/ReLU6 gradients: on the tensorflow backend one ReluGrad/Relu6Grad op instead of
 * tfjs' step-mask composite (six full-size ops there); every other backend keeps the stock gradient.
 * Relu6Grad passes no gradient at exactly 6 (tfjs passes it); elsewhere they agree.
 */
function registerNativeReluGradients(): void {
  for (const [kernel, tfOp] of [[tf.Relu, 'ReluGrad'], [tf.Relu6, 'Relu6Grad']] as const) {
    const stock = tf.getGradient(kernel);
    if (!stock) continue;
    const config: GradConfig = {
      kernelName: kernel,
      inputsToSave: ['x'],
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        if (tf.getBackend() !== 'tensorflow' || (dy as Tensor).dtype !== 'float32' || saved[0]?.dtype !== 'float32') {
          return stock.gradFunc(dy, saved, attrs);
        }
        return { x: () => runTf(tfOp, [dy as Tensor, saved[0]!]) };
      },
    };
    tf.registerGradient(config);
  }
}
