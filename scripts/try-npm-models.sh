#!/usr/bin/env bash
# Tries edge-prune on real dense-prediction models shipped inside an npm package (#22): packs
# @vladmandic/human (its models/ folder holds TF.js graph models: BlazeFace, FaceMesh, Iris,
# MoveNet, CenterNet, HandTrack, ...) into a temporary folder, runs `edge-prune analyze` on every
# model and prints what happened (MACs and prunable groups, or the typed error), then runs the
# main flow on BlazeFace (a face detector with four raw outputs) from unlabelled images.
# Nothing is committed or kept: the package and the run live under a temporary folder.
#
#   scripts/try-npm-models.sh [package@version] [main-flow model name] [latency ms]
#   (defaults: @vladmandic/human@3.3.6 blazeface 55; EDGE_PRUNE_KEEP=1 keeps the temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE="${1:-@vladmandic/human@3.3.6}"
MODEL="${2:-blazeface}"
LATENCY="${3:-55}"
WORK="$(mktemp -d /tmp/edge-prune-npm-models-XXXXXX)"
[ "${EDGE_PRUNE_KEEP:-}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
EP=(node bin/edge-prune.js)

echo "packing $PACKAGE into $WORK (the npm registry only)"
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
tar xzf "$WORK"/*.tgz -C "$WORK"
MODELS="$WORK/package/models"

echo; echo "edge-prune analyze, per model:"
for json in "$MODELS"/*.json; do
  name="$(basename "$json" .json)"
  [ "$name" = models ] && continue
  if out="$("${EP[@]}" analyze "$json" --json 2>&1)"; then
    node -e 'const a = JSON.parse(process.argv[1]); const g = a.groups ?? []; console.log(`  ${process.argv[2].padEnd(18)} ok: ${(a.macs / 1e6).toFixed(1)}M MACs, ${g.length} groups, ${g.filter((x) => !x.locked).length} prunable`)' "$out" "$name"
  else
    echo "  $(printf '%-18s' "$name") $(echo "$out" | grep -m1 '^error')"
  fi
done

# A flat folder of the bundled sample images (unlabelled: no class sub-folders).
IMAGES="$WORK/images"
mkdir -p "$IMAGES"
k=0
for f in $(find samples/data/train -name '*.jpg' | sort | awk 'NR % 10 == 1' | head -200); do cp "$f" "$IMAGES/img$k.jpg"; k=$((k + 1)); done

echo; echo "main flow: $MODEL, pixel7, --latency-ms $LATENCY, $k unlabelled images, 1 epoch"
status=0
"${EP[@]}" "$MODELS/$MODEL.json" --target pixel7 --latency-ms "$LATENCY" --data "$IMAGES" --epochs 1 --method none --out "$WORK/run" || status=$?
echo "exit code $status; report: $WORK/run/report.json"
