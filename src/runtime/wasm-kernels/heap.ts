// Direct float32 views of wasm-backend tensors, for kernels written as plain loops over the wasm heap.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The parts of the emscripten module these helpers read (the threaded build exposes wasmMemory). */
interface HeapModule {
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  wasmMemory?: WebAssembly.Memory;
}

/** Makes the module's heap views current (a shared memory grown on another thread leaves them short). */
export function refreshHeap(backend: BackendWasm): ArrayBufferLike {
  const module = backend.wasm as unknown as HeapModule;
  const buffer = module.wasmMemory?.buffer ?? module.HEAPU8.buffer;
  if (module.HEAPU8.buffer !== buffer || module.HEAPU8.byteLength !== buffer.byteLength) {
    module.HEAPU8 = new Uint8Array(buffer);
    module.HEAPF32 = new Float32Array(buffer);
    module.HEAP32 = new Int32Array(buffer);
  }
  return buffer;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array view of a float32 tensor's data on the wasm heap (valid until the next allocation). */
export function viewF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  const buffer = refreshHeap(backend);
  const { memoryOffset } = backend.dataIdMap.get(info.dataId) as { memoryOffset: number };
  return new Float32Array(buffer, memoryOffset, sizeOf(info.shape));
}

/** Allocates a float32 output tensor on the wasm heap; when zero is set its data is cleared. */
export function makeOutputF32(backend: BackendWasm, shape: number[], zero = false): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (zero) viewF32(backend, out).fill(0);
  return out;
}
