#!/usr/bin/env bash
# The detector's real-data figures and the shipped model: fine-tune the synthetic model on all dev
# scenes (the shipped model), and, for the honest figure, on 4/5 of them scoring the held-out 1/5
# (fold f = scenes whose index in the sorted labels.tsv is f mod 5). Run from the repo root after
# train.py (synthetic) has finished:   nice -n 10 bash training/detector/kfold.sh [folds...]
set -euo pipefail
PY=/usr/bin/python3
OUT=training/out
REAL=../shared/data/us-plates
STEPS=${STEPS:-500}
COMMON="--real-share 0.6 --max-shards 6 --lr 2e-3 --crop 128x192 --save-every 1000"
FOLDS=${*:-all 0 1 2 3 4}
for f in $FOLDS; do
  if [ "$f" = all ]; then
    [ -f $OUT/det_all.onnx ] || $PY training/detector/train.py --init $OUT/det_synth.pt --real $REAL --fold -1 \
      --steps "$STEPS" $COMMON --seed 30 --out $OUT/det_all.pt --onnx $OUT/det_all.onnx > $OUT/det_train_all.log 2>&1
    continue
  fi
  [ -f $OUT/det_f$f.onnx ] || $PY training/detector/train.py --init $OUT/det_synth.pt --real $REAL --fold "$f" \
    --steps "$STEPS" $COMMON --seed $((20 + f)) --out $OUT/det_f$f.pt --onnx $OUT/det_f$f.onnx > $OUT/det_train_f$f.log 2>&1
  $PY training/detector/eval_dev.py $OUT/det_f$f.onnx --fold "$f" --negatives 0 --thr 0.3 0.4 0.5 0.6 > $OUT/det_eval_f$f.txt 2>&1
done
echo "detector k-fold done: $FOLDS"
