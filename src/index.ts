// The package entry: every stage function and the data types that flow between them (DESIGN.md §1).
export type * from './core/types.ts';
export { PLAN_ENCODINGS } from './core/types.ts';
export { EdgePruneError, type ErrorCode } from './core/errors.ts';
export { silentLogger, type Logger, type ProgressEvent } from './core/logger.ts';

// import (every input format → ModelBundle)
export { loadModel, detectModelFormat, type ModelFormat } from './import/load-model.ts';
export { importOnnx } from './import/onnx/import-onnx.ts';
export { checkOnnxFidelity, type FidelityFigures } from './import/onnx/check-fidelity.ts';
export { OP_CONVERTERS, listSupportedOps } from './import/onnx/op-table.ts';

// load
export { readBundle } from './bundle/read-bundle.ts';
export { writeBundle, type WriteOptions } from './bundle/write-bundle.ts';
export { bundleFromArtifacts, bundleToArtifacts } from './bundle/artifacts.ts';

// import
export type { LoadModelOptions } from './import/load-model.ts';
export { detectFormat, type DetectedFormat } from './import/detect-format.ts';
export { importGraphModel, convertGraphModel, type GraphImportOptions } from './import/graph-model/import-graph-model.ts';
export { importKeras } from './import/keras/import-keras.ts';

// analyze
export { analyzeModel, describeGroups, type Analysis } from './analyze/analyze-model.ts';
export { buildGraph } from './analyze/graph.ts';
export { findGroups } from './analyze/groups.ts';
export { countCost, countMacs } from './analyze/cost.ts';
export { LAYER_RULES } from './layers/rules.ts';

// score
export { scoreModel, CRITERIA, requireCriterion } from './score/score-model.ts';
export type { Criterion, ScoreContext } from './score/criterion.ts';

// search
export { planSearch, type PlanSearchOptions, type PlanSearchResult, type SearchMode } from './search/plan-search.ts';
export { type BudgetAttribution, type EncodingDecision } from './search/encoding-choice.ts';
export { encodingChoices } from './latency/encodings.ts';
export { planFromRatios, type DropRatios } from './search/ratio-plan.ts';
export { loadTarget, loadProfile, listTargets, type LoadedTarget } from './targets/load-targets.ts';
export { predictLatency, type LatencyPrediction } from './latency/latency-model.ts';
export { deployedGraph } from './latency/deployed-graph.ts';
export { predictOnTarget, type TargetPrediction } from './latency/target-predictor.ts';
export { DEFAULT_FLOORS, type FidelityFloor, type FidelityMeasure } from './search/fidelity.ts';
export type { Budget, Resources } from './targets/budget.ts';

// prune
export { applyPlan } from './prune/apply-plan.ts';
export { validatePlan } from './prune/validate-plan.ts';

// export
export { exportBundle } from './export/export-bundle.ts';
export type { DroppedExport, ExportOptions, ExportResult, ExportFormat } from './export/types.ts';

// report
export { buildReport } from './report/build-report.ts';
export { renderHtml } from './report/render-html.ts';
export type { QuantizedExport, QuantizedFigures, Report } from './report/report-types.ts';
export { runPipeline, type PipelineOptions } from './pipeline.ts';
export { verifyExport } from './verify/verify-export.ts';
export type { Measurement, VerifyOptions } from './verify/types.ts';
