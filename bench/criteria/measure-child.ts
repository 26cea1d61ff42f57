// Child process of the criteria benchmark: times export folders on tfjs-wasm and onnxruntime-node, interleaved round by round.
//
//   node --import tsx bench/criteria/measure-child.ts '{"dirs":["a","b"],"rounds":4,"runs":15,"warmup":5}'
//
// Prints one JSON line: { "tfjs": [[ms...], [ms...]], "onnx": [[...], [...]], "runtimes": {...} }.
import { loadTarget } from '../../src/targets/load-targets.ts';
import { readExportedBundle } from '../../src/verify/export-folder.ts';
import { measureLocal } from '../../src/verify/local.ts';

/** What the parent asks for. */
interface ChildRequest {
  dirs: string[];
  rounds: number;
  runs: number;
  warmup: number;
}

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
// pixel7 (tfjs-wasm, 1 thread) and pixel7-onnx (1 thread) say how the bundles run on the phone.
const tfjsTarget = loadTarget('pixel7').target;
const onnxTarget = loadTarget('pixel7-onnx').target;
const formats = [
  { key: 'tfjs', format: 'tfjs', target: tfjsTarget, threads: tfjsTarget.backend.threads },
  { key: 'onnx', format: 'onnx', target: onnxTarget, threads: onnxTarget.backend.threads },
] as const;
const runs: Record<string, number[][]> = { tfjs: request.dirs.map(() => []), onnx: request.dirs.map(() => []) };
const runtimes: Record<string, string> = {};
for (let round = 0; round < request.rounds; round++) {
  // Alternate the order every round so neither bundle always runs first (or right after the other).
  const order = request.dirs.map((_, i) => i);
  if (round % 2 === 1) order.reverse();
  for (const f of formats) {
    for (const i of order) {
      const bundle = await readExportedBundle(request.dirs[i] as string, f.target, { format: f.format, anyFormat: true });
      const timing = await measureLocal(bundle, { warmup: request.warmup, runs: request.runs, threads: f.threads });
      runs[f.key]?.[i]?.push(...timing.runsMs);
      runtimes[f.key] = `${timing.runtimeVersion}, ${timing.backend}, ${timing.threads} thread${timing.threads > 1 ? 's' : ''}${timing.simd ? ', SIMD' : ''}`;
    }
  }
}
console.log(JSON.stringify({ ...runs, runtimes }));
