#!/usr/bin/env bash
# The detector's real-data figures and the shipped model: fine-tune the synthetic model on all dev
# scenes (the shipped model), and, for the honest figure, on 4/5 of them scoring the held-out 1/5
# (fold f = scenes whose index in the sorted labels.tsv is f mod 5). Hard negatives: the even-indexed
# no-plate photos (the odd half is never trained on; eval_dev.py reports it). Run from the repo root
# after train.py (synthetic) has finished:
#   nice -n 10 bash training/detector/kfold.sh [folds...]        (e.g. "all 0 1" and "2 3 4" in parallel)
# Environment: SYNTH (initial weights), OUT (output folder), STEPS, TAG (file name suffix), REAL_SCALE,
# SYNTHETIC (comma-separated synthetic shard folders; the first 6 shards of each are used), LR, ALL_SEED, SEED_BASE,
# MAX_SIDE (detectorMaxSide the real scenes are shrunk for, and scored at; default 640).
# SYNTH may hold "{f}" ("f0".."f4", or "all"; e.g. training/out/v2/det_{f}.pt): each fold then continues from its own earlier fold model,
# which never saw that fold, so a chain of fine-tunes stays held out.
set -euo pipefail
PY=/usr/bin/python3
SYNTH=${SYNTH:-training/out/v2/synth.pt}
OUT=${OUT:-training/out/v2}
REAL=../shared/data/us-plates
NEG=../shared/data/no-plates
STEPS=${STEPS:-700}
TAG=${TAG:-}
REAL_SCALE=${REAL_SCALE:-0.75:1.3}
SYNTHETIC=${SYNTHETIC:-training/out/detector}
LR=${LR:-2e-3}
MAX_SIDE=${MAX_SIDE:-640}
ALL_SEED=${ALL_SEED:-30}  # the "all" model's seed
SEED_BASE=${SEED_BASE:-20}  # the fold models' seeds: SEED_BASE + f
COMMON="--synthetic $SYNTHETIC --real-scale $REAL_SCALE --real-share 0.5 --negatives $NEG --neg-share 0.15 --max-side $MAX_SIDE --max-shards 6 --lr $LR --crop 128x192
  --threads 1 --save-every 1000"
FOLDS=${*:-all 0 1 2 3 4}
for f in $FOLDS; do
  F=f$f
  [ "$f" = all ] && F=all
  INIT=${SYNTH//\{f\}/$F}
  if [ "$f" = all ]; then
    [ -f "$OUT/det_all$TAG.onnx" ] || $PY training/detector/train.py --init "$INIT" --real $REAL --fold -1 \
      --steps "$STEPS" $COMMON --seed "$ALL_SEED" --out "$OUT/det_all$TAG.pt" --onnx "$OUT/det_all$TAG.onnx" > "$OUT/det_train_all$TAG.log" 2>&1
    $PY training/detector/eval_dev.py "$OUT/det_all$TAG.onnx" --max-side "$MAX_SIDE" --thr 0.3 0.4 0.5 0.6 --gates 0.02 0.05 0.1 0.2 0.3 > "$OUT/det_eval_all$TAG.txt" 2>&1
    continue
  fi
  [ -f "$OUT/det_f$f$TAG.onnx" ] || $PY training/detector/train.py --init "$INIT" --real $REAL --fold "$f" \
    --steps "$STEPS" $COMMON --seed $((SEED_BASE + f)) --out "$OUT/det_f$f$TAG.pt" --onnx "$OUT/det_f$f$TAG.onnx" > "$OUT/det_train_f$f$TAG.log" 2>&1
  $PY training/detector/eval_dev.py "$OUT/det_f$f$TAG.onnx" --max-side "$MAX_SIDE" --fold "$f" --negatives 0 --thr 0.3 0.4 0.5 0.6 --gates 0.02 0.05 0.1 0.2 0.3 > "$OUT/det_eval_f$f$TAG.txt" 2>&1
done
echo "detector k-fold done: $FOLDS"
