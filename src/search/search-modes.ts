// The search modes that share one plan format (a tiny module so the CLI can list them without loading the search).

/** Every search mode: NetAdapt rounds (default), one global threshold, or manual per-group ratios. */
export const SEARCH_MODES = ['netadapt', 'global', 'manual'] as const;

/** Search modes sharing one plan format. */
export type SearchMode = (typeof SEARCH_MODES)[number];
