// `npm run test:robustness`: run the hostile-input corpus and print `N inputs tried, C crashes, P partial outputs`.
import { passed, runCorpus, summaryLines } from './runner.ts';

const args = process.argv.slice(2);
/** Value of a `--name value` argument. */
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const summary = await runCorpus({
  cliSample: Number(option('--cli') ?? 30),
  ...(option('--seed') ? { seed: Number(option('--seed')) } : {}),
  ...(option('--filter') ? { filter: option('--filter') as string } : {}),
  log: (line) => process.stdout.write(`${line}\n`),
});
if (args.includes('--verbose')) {
  for (const r of summary.results) process.stdout.write(`  lib ${r.outcome.padEnd(7)} ${(r.code ?? '').padEnd(17)} ${r.ms} ms  ${r.id}\n`);
  for (const r of summary.cliResults) process.stdout.write(`  cli ${r.outcome.padEnd(7)} ${(r.code ?? '').padEnd(17)} ${r.ms} ms  ${r.id}\n`);
}
if (args.includes('--times')) {
  for (const r of [...summary.results].sort((a, b) => b.ms - a.ms).slice(0, 10)) process.stdout.write(`  slow: ${r.ms} ms ${r.id}\n`);
}
for (const line of summaryLines(summary)) process.stdout.write(`${line}\n`);
// Exit explicitly: a reader stuck on a FIFO (a hang finding) must not keep the process alive.
process.exit(passed(summary) ? 0 : 1);
