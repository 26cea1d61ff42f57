// Layer rules for activation layers beyond Keras's stock ones: PReLU (per-channel slope), HardSwish, PyTorch-style HardSigmoid.
import { fail } from '../core/errors.ts';
import type { LayerRule } from './rule-types.ts';

/** PReLU with its slope shared over H and W: passes the space; the slope [1, 1, C] is a member. */
export const prelu: LayerRule = {
  channels: 'pass',
  slots: [{ name: 'alpha' }],
  outputShape: (inputs, config, layer) => {
    const input = inputs[0] ?? [];
    const shared = config['shared_axes'];
    if (input.length !== 3 || JSON.stringify(shared) !== '[1,2]') {
      fail('UNSUPPORTED_LAYER', { expected: 'PReLU on an image with shared_axes [1, 2] (one slope per channel)', found: `input [${input.join(', ')}], shared_axes ${JSON.stringify(shared)}`, where: `layer "${layer}"`, hint: 'only channel-wise PReLU is supported' });
    }
    return input;
  },
  weightShape: (_slot, inputs) => [1, 1, inputs[0]?.[2] ?? 0],
  passAxes: [{ slot: 'alpha', axis: 2 }],
};

/** Elementwise activations with no weights (HardSwish, HardSigmoid). */
export const activationLayer: LayerRule = { channels: 'pass', slots: [], outputShape: (inputs) => inputs[0] ?? [] };
