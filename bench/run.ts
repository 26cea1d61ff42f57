// `npm run bench`: scoring time and latency-model error; `--json` prints the figures as JSON.
import { cpus, loadavg } from 'node:os';
import { benchScoring } from './scoring.ts';
import { benchLatencyModel } from './latency-model.ts';

const json = process.argv.includes('--json');
const say = (line: string): void => {
  if (!json) console.log(line);
};
const results: Record<string, unknown> = { date: new Date().toISOString(), cores: cpus().length, node: process.version, loadBefore: loadavg()[0] };

const scoring = await benchScoring();
results['scoring'] = scoring;
say(`scoring time (median of 5 after a warm-up, ${cpus().length} cores, Node ${process.version})`);
for (const r of scoring) say(`  ${r.model.padEnd(9)} ${r.criterion.padEnd(6)} ${r.medianMs.toFixed(1).padStart(8)} ms  (min ${r.minMs.toFixed(1)} ms)`);

const latency = await benchLatencyModel();
results['latencyModel'] = latency;
say(`\npredicted (profiles/host.json) vs measured (tfjs-wasm on this host), ${latency.results.length} pruned variants, load ${latency.load.map((l) => l.toFixed(1)).join(' → ')}`);
for (const r of latency.results) say(`  ${r.id.padEnd(13)} measured ${r.medianMs.toFixed(2).padStart(7)} ms  predicted ${r.predictedMs.toFixed(2).padStart(7)} ms  ${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(1)}%`);
say(`  within 10%: ${(latency.within10Pct * 100).toFixed(0)}% of variants; median |error| ${latency.medianAbsErrorPct.toFixed(1)}%`);

if (json) console.log(JSON.stringify(results, null, 2));
