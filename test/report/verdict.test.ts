// The verdict line never says "every budget met" alone: it says whether accuracy was checked, and on what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verdictLine } from '../../src/report/verdict.ts';

const accuracy = { before: null, after: null, data: null, n: null };

test('labelled data: the verdict names the images accuracy was checked on', () => {
  const line = verdictLine({ budgetsMet: true, accuracyChecked: true, agreement: null, accuracy: { before: 0.867, after: 0.85, data: 'samples/data', n: 1000 } });
  assert.equal(line, 'budgets met · accuracy checked on 1000 labelled images');
});

test('no data: accuracy NOT checked, with the seeded-input agreement', () => {
  const line = verdictLine({ budgetsMet: true, accuracyChecked: false, agreement: { measure: 'logit cosine', on: 'seeded noise inputs', n: null, beforeFinetune: 0.93, after: 0.93 }, accuracy });
  assert.equal(line, 'budgets met · accuracy NOT checked: no labelled data (logit cosine with the unpruned model 0.930 on seeded noise inputs)');
});

test('unlabelled images and a missed budget', () => {
  const line = verdictLine({ budgetsMet: false, accuracyChecked: false, agreement: { measure: 'top-1 agreement', on: '40 held-out images of photos/', n: 40, beforeFinetune: 0.8, after: 0.95 }, accuracy });
  assert.equal(line, 'a budget is NOT met · accuracy NOT checked: unlabelled data (top-1 agreement with the unpruned model 0.950 on 40 held-out images of photos/)');
  assert.doesNotMatch(line, /every budget met/);
});

test('a detector on unlabelled images: per-output fidelity stands in for accuracy', () => {
  const line = verdictLine({ budgetsMet: true, accuracyChecked: false, agreement: { measure: 'output fidelity', on: '16 held-out images of photos/', n: 16, beforeFinetune: 0.71, after: 0.9 }, accuracy });
  assert.equal(line, 'budgets met · per-output fidelity instead of accuracy (no labels): output fidelity with the unpruned model 0.900 on 16 held-out images of photos/');
});
