// How many channels a drop ratio removes from a group: the one rounding rule of manual plans, search and calibration variants.

/** How many channels a drop ratio removes from a group, rounded so the kept count is a multiple of `round`. */
export function dropCount(size: number, ratio: number, round = 1): number {
  let keep = Math.max(1, Math.round(size * (1 - ratio)));
  if (round > 1 && size > round) keep = Math.max(round, Math.round(keep / round) * round);
  return Math.max(0, Math.min(size - 1, size - keep));
}
