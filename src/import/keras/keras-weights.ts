// Finds each layer's stored weights: Keras 3 `.weights.h5` (layers/<class_snake>[_n]/vars/<i>) or legacy `.h5` (model_weights/<layer>/<weight_names>).
import { fail } from '../../core/errors.ts';
import type { Hdf5Reader } from './hdf5.ts';
import { toSnakeCase } from './keras-config.ts';

/** One stored weight. */
export interface StoredWeight {
  shape: number[];
  data: Float32Array;
}

/** A layer's weights in stored order. */
export type WeightSource = (layer: string) => StoredWeight[];

/**
 * Keras 3 addresses weights by object path, not by layer name: the n-th layer of a class in the
 * model's layer list lives at `layers/<snake_case class>` (`_1`, `_2`, ... for the later ones).
 */
export function keras3WeightSource(h5: Hdf5Reader, layers: readonly { name: string; className: string }[], where: string): WeightSource {
  const used = new Map<string, number>();
  const paths = new Map<string, string>();
  for (const layer of layers) {
    const snake = toSnakeCase(layer.className);
    const n = used.get(snake);
    used.set(snake, n === undefined ? 0 : n + 1);
    paths.set(layer.name, n === undefined ? `layers/${snake}` : `layers/${snake}_${n + 1}`);
  }
  return (layer) => {
    const path = paths.get(layer);
    const vars = path ? h5.keys(`${path}/vars`) : undefined;
    if (!path || !vars) {
      const stored = h5.keys('layers');
      if (!stored) fail('MISSING_WEIGHTS', { expected: 'a "layers" group in model.weights.h5', found: 'none', where, hint: 'the weights file is incomplete; save the model again' });
      return [];
    }
    return vars
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => h5.dataset(`${path}/vars/${k}`));
  };
}

/** Legacy `.h5`: `model_weights/<layer>` lists its datasets in the `weight_names` attribute. */
export function legacyWeightSource(h5: Hdf5Reader, where: string): WeightSource {
  const base = h5.keys('model_weights') ? 'model_weights' : '';
  return (layer) => {
    const group = base ? `${base}/${layer}` : layer;
    if (!h5.keys(group)) return [];
    const raw = h5.attr(group, 'weight_names');
    const names: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : ArrayBuffer.isView(raw) ? Array.from(raw as Float32Array) : [raw];
    if (!names.every((n) => typeof n === 'string')) {
      fail('INVALID_MODEL', { expected: 'weight_names as a list of strings', found: JSON.stringify(names).slice(0, 100), where: `${where}: ${group}`, hint: 'the HDF5 file is corrupt' });
    }
    return (names as string[]).map((n) => h5.dataset(`${group}/${n}`));
  };
}
