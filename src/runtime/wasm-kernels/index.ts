// Registers the project's training kernels on the wasm backend (missing gradients, a correct MaxPoolGrad, faster replacements).
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig, conv2dBackpropInputConfig } from './conv-backprop.ts';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.ts';
import { createFastKernelConfigs } from './fast-kernels.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';

/** Kernels the stock wasm build lacks or gets wrong. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropInputConfig,
  conv2dBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  maxPoolGradConfig,
];

let registered: string[] | null = null;

/**
 * Registers (or replaces) the training kernels on the wasm backend. Idempotent. Returns the kernel
 * names it installed.
 */
export function registerWasmTrainingKernels(): string[] {
  if (!registered) {
    // The fast replacements wrap the stock kernels, so build them before anything is unregistered.
    const configs = [...WASM_TRAINING_KERNELS, ...createFastKernelConfigs()];
    for (const config of configs) {
      if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(config);
    }
    registered = configs.map((k) => k.kernelName);
  }
  return [...registered];
}
