// `npm run bench`: every benchmark that fits a few minutes; `--json` prints the figures as JSON.
import { cpus } from 'node:os';
import { benchScoring } from './scoring.ts';

const json = process.argv.includes('--json');
const results: Record<string, unknown> = { date: new Date().toISOString(), cores: cpus().length, node: process.version };

const scoring = await benchScoring();
results['scoring'] = scoring;
if (!json) {
  console.log(`scoring time (median of 5 after a warm-up, ${cpus().length} cores, Node ${process.version})`);
  for (const r of scoring) console.log(`  ${r.model.padEnd(9)} ${r.criterion.padEnd(6)} ${r.medianMs.toFixed(1).padStart(8)} ms  (min ${r.minMs.toFixed(1)} ms)`);
}

if (json) console.log(JSON.stringify(results, null, 2));
