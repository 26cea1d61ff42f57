// The benchmark page's script: loads the run's bundle in tfjs (wasm or webgl) or onnxruntime-web, times it, posts the result.
// Served by edge-prune's benchmark server from local files only; every URL it touches is on the page's origin.

const statusLine = document.getElementById('status');
const out = document.getElementById('out');
const setStatus = (text) => { statusLine.textContent = text; };

// The page lives at /run/<token>/: the token authorizes the result post.
const token = decodeURIComponent(location.pathname.split('/')[2] || '');
const runBase = `/run/${encodeURIComponent(token)}/`;

// Content-Security-Policy violations would mean the page tried to reach another origin.
const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

/** Seeded uniform [0, 1) values, the same generator as the Node runner. */
function seededValues(size, seed) {
  const values = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = s / 2 ** 32;
  }
  return values;
}

/** Add a classic script from this origin and wait for it. */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(script);
  });
}

/**
 * fetch() that resolves only once the body is read. tfjs awaits every shard's response headers
 * before reading any body; over HTTP/1.1 (6 connections per host) models with more than 6 large
 * shards would then wait forever for connections held by unread bodies.
 */
async function bufferedFetch(url, init) {
  const response = await fetch(url, init);
  const body = await response.arrayBuffer();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Post a JSON body to the server with the run token. */
async function postResult(body) {
  const response = await fetch('/result', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-edge-prune-token': token },
    body: JSON.stringify(body),
  });
  return response.ok;
}

/** A runner for TF.js bundles on the wasm or webgl backend. */
/** The layer classes edge-prune adds for imported models (src/runtime/activation-layers.ts), registered for loadLayersModel. */
function registerEdgePruneLayers(tf) {
  class HardSwish extends tf.layers.Layer {
    static className = 'HardSwish';
    call(inputs) { return tf.tidy(() => { const x = Array.isArray(inputs) ? inputs[0] : inputs; return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)); }); }
    computeOutputShape(shape) { return shape; }
  }
  class HardSigmoid extends tf.layers.Layer {
    static className = 'HardSigmoid';
    constructor(args = {}) { super(args); this.alpha = args.alpha ?? 1 / 6; this.beta = args.beta ?? 0.5; }
    call(inputs) { return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.alpha), this.beta), 0, 1)); }
    computeOutputShape(shape) { return shape; }
    getConfig() { return { ...super.getConfig(), alpha: this.alpha, beta: this.beta }; }
  }
  tf.serialization.registerClass(HardSwish);
  tf.serialization.registerClass(HardSigmoid);
}

async function setupTfjs(config) {
  const tf = globalThis.tf ?? (await loadScript('/lib/tf.min.js'), globalThis.tf);
  if (config.backend === 'wasm') {
    await loadScript('/lib/tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths('/lib/');
    // One thread: run the single-threaded SIMD build, as a page without cross-origin isolation does.
    if (config.threads <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else tf.wasm.setThreadsCount(config.threads);
  }
  if (!(await tf.setBackend(config.backend))) throw new Error(`tfjs backend ${config.backend} did not start in this browser`);
  await tf.ready();
  const url = new URL(config.model, location.href).href;
  const options = { fetchFunc: bufferedFetch };
  if (config.format === 'tfjs') registerEdgePruneLayers(tf);
  const model = config.format === 'tfjs' ? await tf.loadLayersModel(url, options) : await tf.loadGraphModel(url, options);
  const size = config.inputDims.reduce((a, b) => a * b, 1);
  const input = tf.tensor(seededValues(size, 7), config.inputDims, 'float32');
  let peakGpu = 0;
  const backend = tf.getBackend();
  const simd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : false;
  return {
    runtime: backend === 'webgl' ? 'tfjs-webgl' : 'tfjs-wasm',
    backend,
    runtimeVersion: `tfjs ${tf.version.tfjs}`,
    threads: backend === 'wasm' ? tf.wasm.getThreadsCount() : 1,
    simd,
    async runOnce() {
      const start = performance.now();
      const y = model.predict(input);
      const outputs = y instanceof tf.Tensor ? [y] : Array.isArray(y) ? y : Object.values(y);
      for (const t of outputs) await t.data();
      const ms = performance.now() - start;
      if (backend === 'webgl') peakGpu = Math.max(peakGpu, tf.memory().numBytesInGPU ?? 0);
      tf.dispose(outputs);
      return ms;
    },
    memory() {
      if (backend === 'wasm') return { bytes: tf.backend().wasm.HEAPU8.buffer.byteLength, source: 'wasm linear memory of the page (high-water mark)' };
      if (backend === 'webgl') return { bytes: peakGpu, source: 'tfjs WebGL texture bytes at the peak of a run' };
      return { bytes: null, source: null };
    },
  };
}

/** A runner for ONNX models on onnxruntime-web's wasm execution provider. */
async function setupOrt(config) {
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = config.threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const bytes = new Uint8Array(await (await fetch(new URL(config.model, location.href))).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const size = config.inputDims.reduce((a, b) => a * b, 1);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', seededValues(size, 7), config.inputDims) };
  return {
    runtime: 'onnxruntime-web',
    backend: 'wasm',
    runtimeVersion: `onnxruntime-web ${ort.env.versions?.web ?? ort.env.versions?.common ?? 'unknown'}`,
    threads: config.threads,
    simd: true,
    async runOnce() {
      const start = performance.now();
      const result = await session.run(feeds);
      const ms = performance.now() - start;
      for (const t of Object.values(result)) t.dispose?.();
      return ms;
    },
    memory: () => ({ bytes: null, source: null }),
  };
}

/** One timed run: a single inference, or with `windowMs` > 0 the mean over a window of back-to-back inferences. */
async function timedRun(runner, windowMs) {
  if (!(windowMs > 0)) return runner.runOnce();
  const start = performance.now();
  let count = 0;
  do {
    await runner.runOnce();
    count += 1;
  } while (performance.now() - start < windowMs);
  return (performance.now() - start) / count;
}

/** Time a runner: first (cold) run, warm-up, timed runs. */
async function measure(runner, warmup, runs, windowMs) {
  const firstRunMs = await runner.runOnce();
  for (let i = 0; i < warmup; i++) await runner.runOnce();
  const runsMs = [];
  for (let i = 0; i < runs; i++) runsMs.push(await timedRun(runner, windowMs));
  const memory = runner.memory();
  return {
    runtime: runner.runtime, backend: runner.backend, runtimeVersion: runner.runtimeVersion, threads: runner.threads, simd: runner.simd,
    firstRunMs, warmup, runsMs, peakMemoryBytes: memory.bytes, peakMemorySource: memory.source,
  };
}

/** Median of a list. */
function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const config = await (await fetch(`${runBase}config.json`)).json();
  setStatus(`loading ${config.format} on ${config.runtime}…`);
  const runner = config.runtime.startsWith('onnxruntime') ? await setupOrt(config) : await setupTfjs(config);
  // The host may drive further batches through this hook (emulation calibration).
  window.edgePruneBench = { measure: (warmup, runs) => measure(runner, warmup, runs, config.windowMs), violations };
  window.edgePruneReady = true;
  if (!config.autorun) { setStatus('ready'); return; }
  setStatus(`measuring: ${config.warmup} warm-up and ${config.runs} timed runs…`);
  const timing = await measure(runner, config.warmup, config.runs, config.windowMs);
  const sent = await postResult({ ok: true, timing, userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated === true, violations });
  setStatus(sent ? 'done: the result was sent to edge-prune' : 'measured, but edge-prune did not accept the result');
  out.textContent = `median ${median(timing.runsMs).toFixed(2)} ms over ${timing.runsMs.length} runs (${timing.runtime}, ${timing.backend})`;
}

main().catch(async (error) => {
  const message = error && error.message ? error.message : String(error);
  window.edgePruneError = message;
  setStatus(`failed: ${message}`);
  try {
    await postResult({ ok: false, error: message, userAgent: navigator.userAgent, violations });
  } catch {
    // the server is gone; nothing else to do
  }
});
