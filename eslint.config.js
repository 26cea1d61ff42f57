// ESLint flat config: typescript-eslint rules, DESIGN.md §1's import directions between rooms, no cycles, and who may print or exit.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/*
 * Rooms and who may import whom (DESIGN.md §1: cli → pipeline/index → stages → services → layers → core).
 * A room is a folder under src/ (latency/calibration is a room of its own) or one of the top-level
 * files. Each entry lists the rooms that room may import besides itself; anything else is an error
 * (boundaries/dependencies, default disallow, static, dynamic and type imports and re-exports alike).
 * The table must stay acyclic: the check below throws at load time if an edit closes a loop, and
 * import-x/no-cycle catches file-level cycles inside a room.
 *
 *   core            (nothing)
 *   layers          core
 *   services, low to high — analyze is used by almost every room, so it sits lowest:
 *   analyze         layers, core
 *   bundle          analyze, layers, core          (the ModelBundle on disk)
 *   targets         analyze, layers, core
 *   data            analyze, layers, core          (class and normalization checks read the graph)
 *   latency         targets + the above            (a prediction is for a loaded target)
 *   runtime         data, bundle + the above       (training kernels consume datasets; sessions load bundles)
 *   stages — each may import every service; stage → stage edges are listed:
 *   score, prune, finetune, export: services only
 *   import          export                         (fidelity reuses export's NCHW/NHWC converters, seeded inputs, 'same' pads)
 *   reconstruct     prune                          (refits the consumers of a pruned layer)
 *   search          score, prune                   (NetAdapt scores and applies candidate plans)
 *   latency/calibration  prune, export             (builds, exports and times seeded pruned variants)
 *   verify          latency/calibration, export    (emulation calibration reuses its probes; it measures an ExportResult)
 *   report          every other stage              (the sink: reads each stage's result types)
 *   top level:
 *   pipeline-sample services
 *   pipeline-checks search, services               (budget sanity and the fidelity floor's verdict on a search result)
 *   pipeline-dense  services                       (detectors/segmenters: per-output fidelity of the main flow)
 *   pipeline-schedule prune, reconstruct, finetune, services (gradual pruning: prune, refit and distill in steps)
 *   pipeline-verify verify, export, report, services (the verify stage: the planned export and the int8 ONNX beside it)
 *   pipeline        every stage, queue, pipeline-sample, pipeline-checks, pipeline-dense, pipeline-schedule, pipeline-verify, services (queue: --queue fans work out)
 *   index           pipeline, pipeline-sample, stages, services (the library's public API; never cli)
 *   queue           search, prune, finetune, services (workers evaluate candidate plans and fine-tune; the search never imports queue)
 *   cli             everything except index
 * Nothing may import cli or index. The top-level files form one boundaries element (`top`, picked
 * by file name), so imports among them are left to import-x/no-cycle; a report names them as type "top".
 */
const SERVICES = ['latency', 'targets', 'data', 'runtime', 'bundle', 'analyze', 'layers', 'core'];
const LOW = ['analyze', 'layers', 'core'];
const STAGES = ['import', 'score', 'search', 'prune', 'reconstruct', 'finetune', 'export', 'latency-calibration', 'verify', 'report'];
const ALLOW = {
  core: [],
  layers: ['core'],
  analyze: ['layers', 'core'],
  bundle: LOW,
  targets: LOW,
  data: LOW,
  latency: ['targets', ...LOW],
  runtime: ['data', 'bundle', ...LOW],
  import: ['export', ...SERVICES],
  score: SERVICES,
  prune: SERVICES,
  finetune: SERVICES,
  export: SERVICES,
  reconstruct: ['prune', ...SERVICES],
  search: ['score', 'prune', ...SERVICES],
  'latency-calibration': ['prune', 'export', ...SERVICES],
  verify: ['latency-calibration', 'export', ...SERVICES],
  report: [...STAGES.filter((s) => s !== 'report'), ...SERVICES],
  'pipeline-sample': SERVICES,
  'pipeline-checks': ['search', ...SERVICES],
  'pipeline-dense': SERVICES,
  'pipeline-schedule': ['prune', 'reconstruct', 'finetune', ...SERVICES],
  'pipeline-verify': ['verify', 'export', 'report', ...SERVICES],
  pipeline: [...STAGES, 'queue', 'pipeline-sample', 'pipeline-checks', 'pipeline-dense', 'pipeline-schedule', 'pipeline-verify', ...SERVICES],
  index: ['pipeline', 'pipeline-sample', ...STAGES, ...SERVICES],
  queue: ['search', 'prune', 'finetune', ...SERVICES],
  cli: ['queue', 'pipeline', 'pipeline-sample', 'pipeline-dense', ...STAGES, ...SERVICES],
};

/** Throw if the allow-list has a loop (room A may import B and B, through others, A). */
function assertAcyclic(allow) {
  const state = new Map();
  const visit = (room, path) => {
    if (state.get(room) === 'done') return;
    if (state.get(room) === 'open') throw new Error(`eslint.config.js: room allow-list has a cycle: ${[...path, room].join(' → ')}`);
    state.set(room, 'open');
    for (const next of allow[room] ?? []) {
      if (!(next in allow)) throw new Error(`eslint.config.js: room ${room} allows unknown room ${next}`);
      visit(next, [...path, room]);
    }
    state.set(room, 'done');
  };
  for (const room of Object.keys(allow)) visit(room, []);
}
assertAcyclic(ALLOW);

/** The top-level files are rooms too; boundaries' elements are folders, so they are picked out of `src` by file name. */
const FILE_ROOMS = ['pipeline', 'pipeline-sample', 'pipeline-checks', 'pipeline-dense', 'pipeline-schedule', 'pipeline-verify', 'index'];
/** Element descriptors: first match wins, so latency/calibration precedes latency and `src` (the top-level files) comes last. */
const ELEMENTS = [
  { type: 'latency-calibration', pattern: 'src/latency/calibration', partialMatch: false },
  ...Object.keys(ALLOW)
    .filter((r) => r !== 'latency-calibration' && !FILE_ROOMS.includes(r))
    .map((r) => ({ type: r, pattern: `src/${r}`, partialMatch: false })),
  { type: 'top', pattern: 'src', partialMatch: false },
];
/** The boundaries element selector of a room. */
const room = (r) => (FILE_ROOMS.includes(r) ? { type: 'top', fileInternalPath: `${r}.ts` } : { type: r });

/** Rooms' engines: only src/runtime may load tfjs or onnxruntime. */
const ENGINE_PATTERNS = ['@tensorflow/*', 'onnxruntime-*'];
const ENGINE_MESSAGE = 'only src/runtime/ imports tfjs or onnxruntime (DESIGN.md §1); call a runtime function instead';
const engineImports = (allowTypeImports) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ENGINE_PATTERNS, message: ENGINE_MESSAGE, allowTypeImports }] }],
  'no-restricted-syntax': ['error', { selector: 'ImportExpression[source.value=/^(@tensorflow\\u002F|onnxruntime-)/]', message: ENGINE_MESSAGE }],
});

/** Ending the process, setting its exit code and writing to the terminal belong to cli. */
const PROCESS_EXIT = [
  { object: 'process', property: 'exit', message: 'only src/cli/ ends the process; throw a typed error (core/errors.ts)' },
  { object: 'process', property: 'exitCode', message: 'only src/cli/ sets the exit code' },
];
const PROCESS_PRINT = [
  { object: 'process', property: 'stdout', message: 'only src/cli/ prints; report through a Logger (core/logger.ts)' },
  { object: 'process', property: 'stderr', message: 'only src/cli/ prints; report through a Logger (core/logger.ts)' },
];

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'bench/results/', 'test/**/golden/', '**/*.d.ts'] },

  // Every file: ESLint's recommended JavaScript rules.
  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node } },
  { rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] } },

  // TypeScript everywhere: the recommended (syntactic) set.
  { files: ['**/*.ts'], extends: [tseslint.configs.recommended] },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },

  // src/: type-aware rules (promises handled, no thenable misuse, no `any` flowing into calls). Off, for now, the
  // ones with findings in today's code, so they do not block CI: no-unnecessary-type-assertion (27, stylistic),
  // require-await (5), no-unsafe-assignment / -member-access / -return / -enum-comparison (13, mostly parsed JSON and tfjs
  // internals). prefer-promise-reject-errors lets a caught (typed) error be passed on as it is.
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  // onnx-proto's int64 fields are protobufjs `Long`, whose type the lint's project service does not resolve
  // (tsc does): arguments of that type read as unsafe here.
  { files: ['src/import/onnx/**/*.ts'], rules: { '@typescript-eslint/no-unsafe-argument': 'off' } },

  // src/: room boundaries, no cycles, engines only in runtime, no printing or exiting outside cli.
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries, 'import-x': importX },
    settings: {
      'boundaries/elements': ELEMENTS,
      'boundaries/dependency-nodes': ['import', 'dynamic-import', 'export'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'boundaries/dependencies': ['error', {
        default: 'disallow',
        policies: Object.entries(ALLOW).map(([from, allowed]) => ({
          from: { element: room(from) },
          allow: { to: { element: [from, ...allowed].map(room) } },
        })),
      }],
      'boundaries/no-unknown-files': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      ...engineImports(false),
      'no-console': 'error',
      'no-restricted-properties': ['error', ...PROCESS_EXIT, ...PROCESS_PRINT],
    },
  },
  { files: ['src/runtime/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off', 'no-restricted-syntax': 'off' } },
  // Exception: the ModelBundle ⇄ tfjs ModelArtifacts conversion names tfjs's on-disk format types (erased at compile time).
  { files: ['src/bundle/artifacts.ts'], rules: engineImports(true) },
  { files: ['src/cli/**/*.ts'], rules: { 'no-console': 'off', 'no-restricted-properties': 'off' } },
  // Exception: the decode pool's child-process entry ends its own process once its reply is sent (it prints nothing).
  { files: ['src/data/decode-worker.ts'], rules: { 'no-restricted-properties': ['error', ...PROCESS_PRINT] } },
  // Exception: the queue's sandboxed child ends itself after a job over --job-timeout (BullMQ forks a fresh one; it prints nothing).
  { files: ['src/queue/processor.ts'], rules: { 'no-restricted-properties': ['error', ...PROCESS_PRINT] } },

  // The benchmark page's script runs in a browser.
  { files: ['src/verify/page/**/*.js'], languageOptions: { globals: globals.browser } },

  // test/, bench/, scripts/ (and bin/): the syntactic rules above only (no type information: fast); free to print,
  // exit and load any engine; no room boundaries. Tests build malformed inputs, so `any` is allowed there.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
