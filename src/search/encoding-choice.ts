// The plan's encoding: the least lossy one that meets the budgets once pruning met latency and memory, and which budget each of them met.
import type { ModelBundle, PlanEncoding, PrunePlan } from '../core/types.ts';
import { sourceEncoding } from '../bundle/encoding.ts';
import { BYTES_PER_WEIGHT } from '../latency/memory.ts';
import { storageOf } from '../latency/target-predictor.ts';
import { RESOURCES, budgetsMet, type Budget, type Resource, type Resources } from '../targets/budget.ts';

/** How one budget came to hold (or not). */
export type MetBy = 'already met' | 'pruning' | 'encoding' | 'pruning + encoding' | 'not met';

/** One budget: its limit, the figure before (source encoding, unpruned) and after (the plan), and what met it. */
export interface BudgetAttribution {
  budget: Resource;
  limit: number;
  before: number;
  after: number;
  by: MetBy;
}

/** An encoding the search tried and did not take, and why. */
export interface RejectedEncoding {
  encoding: PlanEncoding;
  reason: string;
}

/** The search's encoding decision (`plan --json`'s `encoding`). */
export interface EncodingDecision {
  /** The model's own encoding (what an old plan without `encoding` means). */
  source: PlanEncoding;
  chosen: PlanEncoding;
  /** The encodings the target allows, least lossy first. */
  choices: PlanEncoding[];
  /** `search` when the search chose among `choices`; `option` when fixed by `--weights`. */
  chosenBy: 'search' | 'option';
  metBy: BudgetAttribution[];
  rejected: RejectedEncoding[];
  /** The accuracy check of the chosen lossy encoding, when one ran. */
  check?: { encoding: PlanEncoding; measure: string; pruned: number; encoded: number; maxDrop: number };
}

/** A bundle's encoding as a plan encoding: a uniform float32/float16/uint8 as is, uint16 as float16 (2 bytes), a mixed manifest as float32. */
export function planEncodingOf(bundle: ModelBundle): PlanEncoding {
  const spec = sourceEncoding(bundle);
  if (spec === 'uint16') return 'float16';
  return typeof spec === 'string' ? spec : 'float32';
}

/** The plan recording its encoding (left out when it is the source's, so such plans stay as before). */
export function withPlanEncoding(plan: PrunePlan, encoding: PlanEncoding, source: PlanEncoding): PrunePlan {
  const rest: PrunePlan = { ...plan };
  delete rest.encoding;
  return encoding === source ? rest : { ...rest, encoding };
}

/** The most compact of `encodings` (fewest stored bytes per weight; ties: the least lossy, i.e. first). */
export function mostCompact(encodings: readonly PlanEncoding[]): PlanEncoding | undefined {
  let best: PlanEncoding | undefined;
  for (const e of encodings) if (best === undefined || BYTES_PER_WEIGHT[storageOf(e)] < BYTES_PER_WEIGHT[storageOf(best)]) best = e;
  return best;
}

/**
 * The first of `choices` (least lossy first) whose predicted resources meet every budget and that
 * passes `check` (the accuracy check of a lossy encoding), with the ones passed over and why.
 */
export async function firstEncodingMeeting(
  choices: readonly PlanEncoding[],
  budget: Budget,
  resourcesIn: (e: PlanEncoding) => Resources,
  check?: (e: PlanEncoding) => Promise<string | undefined>,
): Promise<{ encoding?: PlanEncoding; rejected: RejectedEncoding[] }> {
  const rejected: RejectedEncoding[] = [];
  for (const e of choices) {
    const r = resourcesIn(e);
    if (!budgetsMet(r, budget)) {
      const over = RESOURCES.filter((k) => budget[k] !== undefined && r[k] > (budget[k] as number)).map((k) => `${k} ${r[k].toFixed(2)} > ${budget[k]}`);
      rejected.push({ encoding: e, reason: `predicted ${over.join(', ')}` });
      continue;
    }
    const failed = check ? await check(e) : undefined;
    if (failed) {
      rejected.push({ encoding: e, reason: failed });
      continue;
    }
    return { encoding: e, rejected };
  }
  return { rejected };
}

/**
 * What met each budget: `already met` (the unpruned model in its source encoding), `pruning` (the
 * pruned model in the source encoding meets it), `encoding` (the unpruned model in the chosen
 * encoding would), `pruning + encoding` (both were needed), or `not met`.
 */
export function attributeBudgets(
  budget: Budget,
  figures: { original: Resources; prunedAtSource: Resources; originalAtChosen: Resources; final: Resources },
): BudgetAttribution[] {
  return RESOURCES.filter((r) => budget[r] !== undefined).map((r) => {
    const limit = budget[r] as number;
    const ok = (x: Resources): boolean => x[r] <= limit;
    const by: MetBy = !ok(figures.final) ? 'not met' : ok(figures.original) ? 'already met' : ok(figures.prunedAtSource) ? 'pruning' : ok(figures.originalAtChosen) ? 'encoding' : 'pruning + encoding';
    return { budget: r, limit, before: figures.original[r], after: figures.final[r], by };
  });
}

/**
 * The accuracy check of a lossy encoding (`--max-accuracy-drop` with images: accuracy, or top-1
 * agreement with the unpruned model on unlabelled ones): the pruned candidate is measured with its
 * weights round-tripped through the encoding (the plan carrying `encoding`), like any other candidate
 * and through the same evaluator (in-process or queue workers), and passes when it loses at most
 * `maxDrop` against the same candidate in the source encoding. int8 computes on quantized activations
 * too, which the candidate evaluation cannot run: it is not taken under a check.
 */
export function encodingCheck(
  plan: PrunePlan,
  evaluatePlans: (plans: readonly PrunePlan[]) => Promise<number[]>,
  maxDrop: number,
  source: PlanEncoding,
  measure: string,
  record: (c: NonNullable<EncodingDecision['check']>) => void,
): (e: PlanEncoding) => Promise<string | undefined> {
  let base: number | undefined;
  return async (e) => {
    if (e === source) return undefined;
    if (e === 'int8') return 'int8 activations cannot be evaluated in the search; with --max-accuracy-drop only weight encodings are taken';
    const unencoded = withPlanEncoding(plan, source, source);
    const [measuredBase, encoded] = base === undefined
      ? await evaluatePlans([unencoded, { ...unencoded, encoding: e }])
      : [base, ...(await evaluatePlans([{ ...unencoded, encoding: e }]))];
    base = measuredBase as number;
    record({ encoding: e, measure, pruned: base, encoded: encoded as number, maxDrop });
    return base - (encoded as number) > maxDrop ? `${measure} ${((encoded as number) * 100).toFixed(1)}% vs ${(base * 100).toFixed(1)}% in ${source}: drops more than ${(maxDrop * 100).toFixed(1)} points` : undefined;
  };
}

/** What met a budget in words: `pruning`, `uint8 weights`, `pruning + int8 compute`, `already met`, `not met`. */
export function metByText(a: BudgetAttribution, chosen: PlanEncoding): string {
  const what = chosen === 'int8' ? 'int8 compute' : `${chosen} weights`;
  return a.by === 'encoding' ? what : a.by === 'pruning + encoding' ? `pruning + ${what}` : a.by;
}

/** One line per budget for the CLI and report, e.g. `size 9.80 → 2.60 MB (budget 4): met by uint8 weights`. */
export function describeAttribution(a: BudgetAttribution, chosen: PlanEncoding): string {
  const label = a.budget === 'latencyMs' ? 'latency' : a.budget === 'memoryMb' ? 'memory' : 'size';
  const unit = a.budget === 'latencyMs' ? 'ms' : 'MB';
  const text = metByText(a, chosen);
  const by = a.by === 'not met' ? 'NOT met' : a.by === 'already met' ? 'already met' : `met by ${text}`;
  return `${label} ${a.before.toFixed(2)} → ${a.after.toFixed(2)} ${unit} (budget ${a.limit}): ${by}`;
}
