// `npm run bench`: CLI start-up, scoring time, latency-model error and ONNX import time; `--json` prints the figures as JSON.
import { cpus, loadavg } from 'node:os';
import { benchScoring } from './scoring.ts';
import { benchLatencyModel, describeRuntimeBench } from './latency-model.ts';
import { benchStartup, describeStartup } from './startup.ts';
import { benchImportOnnx, describeImportOnnx } from './import-onnx.ts';

const json = process.argv.includes('--json');
const say = (line: string): void => {
  if (!json) console.log(line);
};
const results: Record<string, unknown> = { date: new Date().toISOString(), cores: cpus().length, node: process.version, loadBefore: loadavg()[0] };

const startup = benchStartup();
results['startup'] = startup;
say(describeStartup(startup).join('\n'));

const scoring = await benchScoring();
results['scoring'] = scoring;
say(`\nscoring time (median of 5 after a warm-up, ${cpus().length} cores, Node ${process.version})`);
for (const r of scoring) say(`  ${r.model.padEnd(9)} ${r.criterion.padEnd(6)} ${r.medianMs.toFixed(1).padStart(8)} ms  (min ${r.minMs.toFixed(1)} ms)`);

const latency = await benchLatencyModel();
results['latencyModel'] = latency;
for (const r of latency.runtimes) say(`\n${describeRuntimeBench(r).join('\n')}`);
const share = (v: number): string => `${(v * 100).toFixed(0)}%`;
say(
  `\nlatency model within 10%: ${latency.runtimes
    .map((r) => `${r.runtime} ${share(r.adjusted.within10Pct)} of ${r.results.length} host-speed adjusted (×${(r.hostSpeed?.factor ?? 1).toFixed(2)}), ${share(r.raw.within10Pct)} straight from the profile`)
    .join('; ')}`,
);

const importOnnx = await benchImportOnnx();
results['importOnnx'] = importOnnx;
say(`\n${describeImportOnnx(importOnnx).join('\n')}`);

if (json) console.log(JSON.stringify(results, null, 2));
