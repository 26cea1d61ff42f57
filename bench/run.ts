// `npm run bench`: each section's figures in turn; `--json` prints them as JSON, `--only <section>` runs one section.
import { cpus, loadavg } from 'node:os';
import { benchScoring } from './scoring.ts';
import { benchLatencyModel, describeRuntimeBench } from './latency-model.ts';
import { benchStartup, describeStartup } from './startup.ts';
import { benchImportOnnx, describeImportOnnx } from './import-onnx.ts';
import { DEPLOYED_HEADER, benchDeployed, describeDeployedRow } from './deployed.ts';
import { INT8_HEADER, INT8_PREDICTED_HEADER, benchInt8, describeInt8Prediction, describeInt8Row } from './int8.ts';
import { benchQueue, describeQueue } from './queue.ts';

const json = process.argv.includes('--json');
const say = (line: string): void => {
  if (!json) console.log(line);
};
const results: Record<string, unknown> = { date: new Date().toISOString(), cores: cpus().length, node: process.version, loadBefore: loadavg()[0] };
const share = (v: number): string => `${(v * 100).toFixed(0)}%`;

/** One bench section: runs, prints its lines through `say` and returns its figures for `--json`. */
type Section = () => Promise<unknown>;

const sections: Record<string, Section> = {
  startup: async () => {
    const startup = benchStartup();
    say(describeStartup(startup).join('\n'));
    return startup;
  },
  scoring: async () => {
    const scoring = await benchScoring();
    say(`\nscoring time (median of 5 after a warm-up, ${cpus().length} cores, Node ${process.version})`);
    for (const r of scoring) say(`  ${r.model.padEnd(9)} ${r.criterion.padEnd(6)} ${r.medianMs.toFixed(1).padStart(8)} ms  (min ${r.minMs.toFixed(1)} ms)`);
    return scoring;
  },
  'latency-model': async () => {
    const latency = await benchLatencyModel();
    for (const r of latency.runtimes) say(`\n${describeRuntimeBench(r).join('\n')}`);
    say(
      `\nlatency model within 10%: ${latency.runtimes
        .map((r) => `${r.runtime} ${share(r.adjusted.within10Pct)} of ${r.results.length} host-speed adjusted (×${(r.hostSpeed?.factor ?? 1).toFixed(2)}), ${share(r.raw.within10Pct)} straight from the profile`)
        .join('; ')}`,
    );
    return latency;
  },
  deployed: async () => {
    say(`\ndeployed bundle vs Layers bundle, predicted vs measured (load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores)`);
    say(DEPLOYED_HEADER);
    return benchDeployed({ onRow: (row) => say(describeDeployedRow(row)) });
  },
  int8: async () => {
    say(`\nfloat32 vs int8 (QDQ) ONNX on onnxruntime-node, 1 thread, median of 200 runs; top-1 on the bundled test images (load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores)`);
    say(INT8_HEADER);
    const rows = await benchInt8({ onRow: (row) => say(describeInt8Row(row)) });
    say('\npredicted (profiles/host.json onnxruntime-node, float32 and int8 costs) vs measured minimum, 1 thread');
    say(INT8_PREDICTED_HEADER);
    for (const row of rows) say(describeInt8Prediction(row));
    return rows;
  },
  'import-onnx': async () => {
    const importOnnx = await benchImportOnnx();
    say(`\n${describeImportOnnx(importOnnx).join('\n')}`);
    return importOnnx;
  },
  queue: async () => {
    const queue = await benchQueue();
    say(`\n${describeQueue(queue).join('\n')}`);
    return queue;
  },
};

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !(only in sections)) {
  console.error(`unknown bench section "${only}"; sections: ${Object.keys(sections).join(', ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(sections)) {
  if (only === undefined || only === name) results[name] = await run();
}

if (json) console.log(JSON.stringify(results, null, 2));
