// A read-only view of an HDF5 file held in memory (h5wasm's in-memory file system): groups, attributes, float datasets.
import h5wasm from 'h5wasm';
import { fail } from '../../core/errors.ts';
import { halfToFloat } from '../onnx/onnx-tensor.ts';

/** An open HDF5 file; `close()` frees it and its in-memory copy. */
export interface Hdf5Reader {
  /** Child names of a group, or undefined when `path` is no group. */
  keys(path: string): string[] | undefined;
  /** An attribute's value (strings, numbers or arrays of them), or undefined. */
  attr(path: string, name: string): unknown;
  /** A dataset as float32 with its shape; MISSING_WEIGHTS when absent, INVALID_MODEL when not numeric. */
  dataset(path: string): { shape: number[]; data: Float32Array };
  /** Elements of the float datasets read so far, by storage: float16, and every other (float32, float64). */
  floatElements(): { float16: number; other: number };
  close(): void;
}

let counter = 0;

/** Open HDF5 bytes; anything h5wasm cannot open is INVALID_MODEL naming `where`. */
export async function openHdf5(bytes: Uint8Array, where: string): Promise<Hdf5Reader> {
  const module = await h5wasm.ready;
  const { FS } = module;
  const counts = { float16: 0, other: 0 };
  /** h5wasm 0.10 cannot convert float16 datasets: read the raw little-endian halves with its own reader and widen them. */
  const readHalves = (d: InstanceType<typeof h5wasm.Dataset>, count: number): Float32Array => {
    const ptr = module._malloc(2 * count);
    try {
      module.get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
      const view = new DataView(module.HEAPU8.slice(ptr, ptr + 2 * count).buffer);
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true)));
    } finally {
      module._free(ptr);
    }
  };
  const name = `/edge-prune-${process.pid}-${counter++}.h5`;
  FS.writeFile(name, bytes);
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(name, 'r');
  } catch (error) {
    FS.unlink(name);
    fail('INVALID_MODEL', { expected: 'an HDF5 file', found: `bytes HDF5 cannot open (${String((error as Error).message ?? error).slice(0, 100)})`, where, hint: 'the file is truncated or corrupt; save the model again' });
  }
  /** Run a read; h5wasm's own failures (a damaged file) become INVALID_MODEL. */
  const guard = <T>(path: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (error instanceof Error && error.name === 'EdgePruneError') throw error;
      return fail('INVALID_MODEL', { expected: `a readable HDF5 object "${path}"`, found: String((error as Error)?.message ?? error).slice(0, 100), where, hint: 'the HDF5 file is truncated or corrupt; save the model again' });
    }
  };
  const entity = (path: string): unknown => {
    try {
      return file.get(path);
    } catch {
      return undefined;
    }
  };
  return {
    keys: (path) =>
      guard(path, () => {
        const g = path === '' || path === '/' ? file : entity(path);
        return g instanceof h5wasm.Group ? g.keys() : undefined;
      }),
    attr: (path, key) => guard(path, () => {
      const e = path === '' || path === '/' ? file : entity(path);
      if (!(e instanceof h5wasm.Group) && !(e instanceof h5wasm.Dataset)) return undefined;
      try {
        return e.attrs[key]?.value ?? undefined;
      } catch {
        return undefined;
      }
    }),
    dataset: (path) => guard(path, () => {
      const d = entity(path);
      if (!(d instanceof h5wasm.Dataset)) fail('MISSING_WEIGHTS', { expected: `a dataset "${path}"`, found: d === undefined || d === null ? 'nothing at that path' : 'a group', where, hint: 'the weights file is incomplete or belongs to another model' });
      let value: unknown;
      let shape: number[];
      try {
        shape = d.shape ?? [];
        const meta = d.metadata;
        const half = meta.type === module.H5T_class_t.H5T_FLOAT.value && meta.size === 2;
        const count = shape.reduce((a, b) => a * b, 1);
        if (meta.type === module.H5T_class_t.H5T_FLOAT.value) counts[half ? 'float16' : 'other'] += count;
        value = half ? readHalves(d, count) : d.value;
      } catch (error) {
        fail('INVALID_MODEL', { expected: `a readable dataset "${path}"`, found: String((error as Error).message ?? error).slice(0, 100), where, hint: 'the HDF5 file is truncated or corrupt' });
      }
      const count = shape.reduce((a, b) => a * b, 1);
      if ((typeof value === 'number' || typeof value === 'bigint') && count === 1) return { shape, data: Float32Array.of(Number(value)) };
      const numeric = value instanceof Float32Array || value instanceof Float64Array || (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array));
      if (!numeric || (value as Float32Array).length !== count) {
        fail('INVALID_MODEL', { expected: `a float dataset of ${count} values at "${path}"`, found: numeric ? `${(value as Float32Array).length} values` : typeof value, where, hint: 'the weights file is corrupt' });
      }
      return { shape, data: Float32Array.from(value as Float32Array) };
    }),
    floatElements: () => ({ ...counts }),
    close: () => {
      try {
        file.close();
      } finally {
        FS.unlink(name);
      }
    },
  };
}
