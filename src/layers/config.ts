// Typed readers for Keras layer config fields, with errors that name the layer and the field.
import { fail } from '../core/errors.ts';
import type { JsonObject } from '../core/types.ts';

/** Read a positive integer (or the first entry of an int list) from a layer config. */
export function readInt(config: JsonObject, field: string, layer: string, fallback?: number): number {
  const value = config[field] ?? fallback;
  const n = Array.isArray(value) ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1 << 24) {
    fail('INVALID_MODEL', {
      expected: `a non-negative integer in config field "${field}"`,
      found: JSON.stringify(value) ?? 'nothing',
      where: `layer "${layer}"`,
      hint: 'the model.json topology is malformed; re-export it from Keras or tfjs',
    });
  }
  return n;
}

/** Read a pair of integers (e.g. kernel_size, strides) given as a number or a 2-list. */
export function readPair(config: JsonObject, field: string, layer: string, fallback?: number): [number, number] {
  const value = config[field] ?? fallback;
  const pair = typeof value === 'number' ? [value, value] : value;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1 << 16)
  ) {
    fail('INVALID_MODEL', {
      expected: `two positive integers in config field "${field}"`,
      found: JSON.stringify(value) ?? 'nothing',
      where: `layer "${layer}"`,
      hint: 'the model.json topology is malformed; re-export it from Keras or tfjs',
    });
  }
  return [pair[0] as number, pair[1] as number];
}

/** Read a string config field restricted to a set of values. */
export function readChoice<T extends string>(
  config: JsonObject,
  field: string,
  layer: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = config[field] ?? fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    fail('INVALID_MODEL', {
      expected: `one of ${choices.join(', ')} in config field "${field}"`,
      found: JSON.stringify(value),
      where: `layer "${layer}"`,
      hint: 'edge-prune supports channels-last models with these settings only',
    });
  }
  return value as T;
}

/** The activation name of a layer config (`linear` when absent). */
export function readActivation(config: JsonObject): string {
  const value = config['activation'];
  return typeof value === 'string' ? value : 'linear';
}
