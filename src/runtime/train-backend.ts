// The training backend for fine-tuning: delegates to backend.ts (tfjs-node, else threaded wasm, else cpu).
import { fail } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { initBackend, type BackendPreference } from './backend.ts';
import { BACKEND_NAMES, TRAINING_BACKEND_NAMES } from './backend-names.ts';

export { TRAINING_BACKEND_NAMES };

/**
 * Make `requested` (default: the fastest available) the active tfjs backend for training and
 * return its name (`tfjs-node`, `wasm` or `cpu`). Unknown names raise INVALID_ARGUMENT; an
 * unavailable named backend raises BACKEND_UNAVAILABLE.
 */
export async function ensureTrainingBackend(requested?: string, logger: Logger = silentLogger): Promise<string> {
  const name = requested === 'tensorflow' ? 'tfjs-node' : (requested ?? 'auto');
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    fail('INVALID_ARGUMENT', { expected: `a backend among ${TRAINING_BACKEND_NAMES.join(', ')}`, found: JSON.stringify(requested), where: '--backend', hint: 'omit --backend to use the fastest one available' });
  }
  return (await initBackend(name as BackendPreference, logger)).name;
}
