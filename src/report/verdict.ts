// The run's one-line verdict: budgets, and whether accuracy was checked at all (never a bare "every budget met").
import type { Report } from './report-types.ts';

/**
 * The verdict line of a report: `budgets met` or `a budget is NOT met`, followed by what is known
 * about accuracy: measured on labelled data, or `accuracy NOT checked` with the reason and the
 * agreement with the unpruned model when one was measured; for detectors and segmenters, that
 * per-output fidelity stands in for accuracy.
 */
export function verdictLine(r: Pick<Report, 'budgetsMet' | 'accuracyChecked' | 'agreement' | 'accuracy'>): string {
  const budgets = r.budgetsMet ? 'budgets met' : 'a budget is NOT met';
  if (r.accuracyChecked) return `${budgets} · accuracy checked on ${r.accuracy.n ?? '?'} labelled images`;
  const a = r.agreement;
  // Detectors and segmenters have no accuracy to check: their raw outputs are compared with the unpruned model's.
  if (a?.measure === 'output fidelity') return `${budgets} · per-output fidelity instead of accuracy (no labels): ${a.measure} with the unpruned model ${a.after === null ? '—' : a.after.toFixed(3)} on ${a.on}`;
  const reason = a && a.on !== 'seeded noise inputs' ? 'unlabelled data' : 'no labelled data';
  const agreement = a && a.after !== null ? ` (${a.measure} with the unpruned model ${a.after.toFixed(3)} on ${a.on})` : '';
  return `${budgets} · accuracy NOT checked: ${reason}${agreement}`;
}
