// onnxruntime-node seam: load an ONNX model (bytes or file) and run it on float32 inputs. Only src/runtime imports onnxruntime.
import { EdgePruneError } from '../core/errors.ts';

/** A float32 tensor as plain data. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** A loaded ONNX model. Call `release()` when done. */
export interface OnnxSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Run on named inputs; returns every output as float32. */
  run(feeds: Record<string, FloatTensor>): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

/** Options of a session. */
export interface OnnxSessionOptions {
  /** Intra-op threads (default: onnxruntime's choice). */
  threads?: number;
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;

/** Load onnxruntime-node once; BACKEND_UNAVAILABLE when its native binding is missing. */
async function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node').catch((error: unknown) => {
    ortModule = undefined;
    throw new EdgePruneError(
      'BACKEND_UNAVAILABLE',
      {
        expected: 'onnxruntime-node with its native binding',
        found: (error as Error).message,
        where: 'onnxruntime-node',
        hint: 'reinstall with ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node (CPU binaries ship in the package)',
      },
      { cause: error },
    );
  });
  return ortModule;
}

/** The version of onnxruntime-node in use. */
export async function readOnnxRuntimeVersion(): Promise<string> {
  const ort = await loadOrt();
  return ort.env.versions?.common ?? 'unknown';
}

/** Create a session (all graph optimizations, sequential execution) from model bytes or a file path; INVALID_MODEL when onnxruntime rejects the model. */
export async function createOnnxSession(model: Uint8Array | string, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
  const ort = await loadOrt();
  const sessionOptions: import('onnxruntime-node').InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', interOpNumThreads: 1 };
  if (options.threads !== undefined) sessionOptions.intraOpNumThreads = options.threads;
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    throw new EdgePruneError(
      'INVALID_MODEL',
      { expected: 'an ONNX model onnxruntime accepts', found: (error as Error).message, where: typeof model === 'string' ? model : 'ONNX model bytes', hint: 'the exported graph is malformed; rerun with --debug and report it' },
      { cause: error },
    );
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const input: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor('float32', t.data, t.dims);
      let result: import('onnxruntime-node').InferenceSession.OnnxValueMapType;
      try {
        result = await session.run(input);
      } catch (error) {
        throw new EdgePruneError(
          'INVALID_MODEL',
          { expected: 'a run without errors', found: (error as Error).message, where: 'onnxruntime session.run', hint: 'check the input shapes against the model inputs' },
          { cause: error },
        );
      }
      const out: Record<string, FloatTensor> = {};
      for (const name of session.outputNames) {
        const t = result[name] as import('onnxruntime-node').Tensor;
        out[name] = { data: Float32Array.from(t.data as Float32Array), dims: [...t.dims] };
        t.dispose?.();
      }
      return out;
    },
    release: () => session.release(),
  };
}
