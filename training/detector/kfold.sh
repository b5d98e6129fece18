#!/usr/bin/env bash
# The detector's honest real-data figures: fine-tune the synthetic model on 4/5 of the dev scenes
# (plus synthetic scenes) and score the held-out 1/5, for each of the 5 folds; then fine-tune on all
# dev scenes for the shipped model. Run from the repo root after train.py (synthetic) has finished:
#   nice -n 10 bash training/detector/kfold.sh
set -euo pipefail
PY=/usr/bin/python3
OUT=training/out
REAL=../shared/data/us-plates
STEPS=${STEPS:-150}
for f in 0 1 2 3 4; do
  $PY training/detector/train.py --init $OUT/det_synth.pt --real $REAL --fold $f --steps "$STEPS" --lr 5e-4 \
    --seed $((20 + f)) --out $OUT/det_f$f.pt --onnx $OUT/det_f$f.onnx > $OUT/train_f$f.log 2>&1
  $PY training/detector/eval_dev.py $OUT/det_f$f.onnx --fold $f --negatives 0 --thr 0.4 0.5 0.6 | tee $OUT/eval_f$f.txt
done
$PY training/detector/train.py --init $OUT/det_synth.pt --real $REAL --fold -1 --steps "$STEPS" --lr 5e-4 \
  --seed 30 --out $OUT/det_all.pt --onnx $OUT/det_all.onnx > $OUT/train_all.log 2>&1
echo "k-fold done"
