#!/usr/bin/env bash
# Rebuilds, from the repository and ../shared/data alone, the training outputs behind the held-out
# figures of the committed models (models/README.md): the synthetic sets, the synthetic-only base
# models, the reader's fold models (kf_v3dsoB: the committed plate_ocr's recipe, each fold never saw
# its crops and scenes) and the detector's fold models of three seeds, then the held-out figures.
#
# training/out/ is not in git and a new machine starts without it. The synthetic-only base checkpoints
# are committed (training/checkpoints/, README there): when present they are used instead of their ~2 h
# of training. Each step is skipped when its output exists, so an interrupted run continues where it
# stopped. Runs two or three processes at a time on a 2-core machine (nice 10), one stage after another: a 2-thread
# training run beside another busy process slowed from 0.46 to ~1.4 s per step (session 11).
#
#   bash scripts/setup-training.sh && npm run build
#   bash training/rebuild.sh                  # every stage in order
#   bash training/rebuild.sh reader-folds     # or some stages: reader-data reader-base reader-folds
#                                             #   detector-data detector-base detector-folds heldout
#
# Times measured on the 2-core machine (alone on it unless said). reader-data ~25 min for all 9 sets (500
# crops take 8.5 s on one core; 172,000 crops, 2 lanes), ~12 min for the 5 the folds need. reader-base
# nothing while reader_base4d.pt is committed, else 0.44 s per step at 2 threads: base 46 min (session 11),
# base3 45 min and base4d 30 min (session 12). reader-folds ~62 min (session 12, 21:52-22:54; one chain of
# 2700 steps per fold, 0.53-0.8 s per step at one thread). detector-data ~5 min (26 s per 500-scene shard,
# 21 shards, 2 lanes); detector-base ~8 min (0.10 s per step), nothing while detector_synth_intl.pt is
# committed; detector-folds ~1-2 min per fold model and its scoring, 15 of them; heldout a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
NICE="nice -n 10"
OUT=training/out
CK=training/checkpoints
SCENES=../shared/data/us-plates
[ -d "$SCENES" ] || { echo "rebuild: ../shared/data is missing (the dev data is needed for the real-data steps)" >&2; exit 1; }
mkdir -p "$OUT"

# Commands side by side; waits for all of them, fails when any fails.
lanes() {
  local pids=() rc=0 c p
  for c in "$@"; do
    bash -c "$c" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

# A make_dataset run, skipped when its folder holds its last chunk already.
dataset() {  # name n seed [flags...]
  local name=$1 n=$2 seed=$3
  shift 3
  local last
  last=$(printf "%s/%s/chunk_%s_%03d.npz" "$OUT" "$name" "$seed" $(((n + 999) / 1000 - 1)))
  [ -f "$last" ] && return 0
  $NICE $PY -m training.ocr.make_dataset --n "$n" --seed "$seed" --workers 1 "$@" --out "$OUT/$name"
}
export -f dataset
export OUT PY NICE

reader_data() {
  # The seeds and sizes of sessions 4-8 (training/ocr/README.md). synth5/6/7/13 only feed the base chain.
  # Both lanes hold about as many crops (78,000 and 84,000 when the base sets are made).
  local base1="dataset synth13 20000 13 --plate-look --clutter"
  local base2="dataset synth5 14000 5 && dataset synth6 20000 6 && dataset synth7 20000 7"
  [ -f "$CK/reader_base4d.pt" ] && base1=true && base2=true
  lanes "dataset synth 18000 1 && dataset synth8 20000 8 --plate-look && dataset synth12 20000 12 --plate-look --clutter && $base1" \
    "dataset synth_intl 10000 21 --intl 1.0 && dataset synth9 20000 9 --plate-look && $base2"
}

# The committed checkpoint NAME (training/checkpoints/reader_NAME.pt, fp16) as the .pt and .pt.json train.py
# reads with --init; false when it is not committed. The latest step of the chain committed is taken.
use_checkpoint() {  # name dst
  [ -f "$CK/reader_$1.pt" ] || return 1
  mkdir -p "$(dirname "$2")"
  cp "$CK/reader_$1.pt" "$2" && cp "$CK/reader_$1.pt.json" "$2.json"
}

reader_base() {
  local dst=$OUT/v3c/base4d.pt
  [ -f "$dst" ] && return 0
  use_checkpoint base4d "$dst" && return 0
  [ -f "$OUT/v3p/base3.pt" ] || use_checkpoint base3 "$OUT/v3p/base3.pt" || true
  [ -f "$OUT/v3p/base3.pt" ] || [ -f "$OUT/v3/base.pt" ] || use_checkpoint base "$OUT/v3/base.pt" || true
  local T="$NICE $PY -m training.ocr.train"
  local SYNB=$OUT/synth,$OUT/synth5,$OUT/synth6,$OUT/synth7,$OUT/synth8,$OUT/synth9,$OUT/synth_intl
  [ -f "$OUT/v3p/base3.pt" ] || [ -f "$OUT/v3/base.pt" ] || $T --arch v3 --synth $OUT/synth,$OUT/synth5 --steps 6000 \
    --lr 3e-3 --seed 1 --threads 2 --out $OUT/v3/base.pt --onnx $OUT/v3/base/plate_ocr.onnx
  [ -f "$OUT/v3p/base3.pt" ] || $T --init $OUT/v3/base.pt --synth $SYNB --steps 6000 --lr 2e-3 --seed 11 --threads 2 \
    --out $OUT/v3p/base3.pt --onnx $OUT/v3p/base3/plate_ocr.onnx
  $T --init $OUT/v3p/base3.pt --synth $SYNB,$OUT/synth12,$OUT/synth13 --steps 4000 --lr 2e-3 --seed 12 --threads 2 \
    --out "$dst" --onnx $OUT/v3c/base4d/plate_ocr.onnx
}

# The reader's three fold steps (kf_v3d -> kf_v3df -> kf_v3dsoB) as one chain per fold: fold k's step
# needs only fold k's previous step. Three processes at one thread each (folds 0-1, 2-3 and 4) keep both
# cores busy to the end: one thread per process never spin-waits, so three share two cores at ~0.8 s per
# step each (0.53 s with two; session 12). Two lanes and then fold 4 alone at two threads (0.44 s per
# step) would take ~68 min instead of ~60. kfold.py skips a fold whose model and score exist.
reader_fold_chain() {  # threads folds...
  local threads=$1
  shift
  local SYN=$OUT/synth,$OUT/synth8,$OUT/synth9,$OUT/synth12,$OUT/synth_intl,$OUT/synth_intl
  local SCN="--scenes $SCENES --scene-weight 0.3 --margin-x 0.1 --margin-y 0.12 --aug strong"
  local SYNF=$OUT/synth,$OUT/synth8,$OUT/synth9,$OUT/synth12,$OUT/synth_intl,$OUT/synth_intl,$OUT/synth_intl,$OUT/synth_intl
  local K="$NICE $PY -m training.ocr.kfold --threads $threads"
  for k in "$@"; do
    $K --only "$k" --out $OUT/kf_v3d --base $OUT/v3c/base4d.pt --synth $SYN --steps 1500 --lr 2e-3 \
      --real-weight 0.35 $SCN --seed 1
    $K --only "$k" --out $OUT/kf_v3df --base "$OUT/kf_v3d/fold{k}/model.pt" --synth $SYN,$OUT/synth_intl,$OUT/synth_intl \
      --steps 600 --lr 1e-3 --real-weight 0.35 $SCN --seed 2
    $K --only "$k" --out $OUT/kf_v3dsoB --base "$OUT/kf_v3df/fold{k}/model.pt" --state-only --foreign-weight 6 \
      --synth $SYNF --steps 600 --lr 1e-3 --real-weight 0.5 --margin-x 0.1 --margin-y 0.12 --aug strong --seed 1
  done
}
export -f reader_fold_chain
export SCENES

reader_folds() {
  # No early return on pooled.json: each fold's run rewrites it with the folds done so far.
  lanes "reader_fold_chain 1 0 1" "reader_fold_chain 1 2 3" "reader_fold_chain 1 4"
  # The pooled figures from the cached fold results (each step's steps and seed, for its pooled.json).
  $PY -m training.ocr.kfold --only --out $OUT/kf_v3d --base - --steps 1500 --seed 1
  $PY -m training.ocr.kfold --only --out $OUT/kf_v3df --base - --steps 600 --seed 2
  $PY -m training.ocr.kfold --only --out $OUT/kf_v3dsoB --base - --steps 600 --seed 1
}

# gen_data.py shards a:b into a folder, skipped when the folder holds shard b-1 already.
shards() {  # a b folder [flags...]
  local a=$1 b=$2 dir=$3
  shift 3
  [ -f "$(printf "%s/shard_%04d.npz" "$dir" $((b - 1)))" ] && return 0
  $NICE $PY training/detector/gen_data.py --shards "$a:$b" --out "$dir" "$@"
}
export -f shards

detector_data() {
  # The synthetic scenes of sessions 3 and 5 (models/README.md): shards 0-8 and 24-29, and 6 foreign-heavy ones.
  lanes "shards 0 9 $OUT/detector" "shards 24 30 $OUT/detector && shards 100 106 $OUT/detector_intl --intl 0.6"
}

detector_base() {
  local dst=$OUT/v2/synth_intl.pt
  [ -f "$dst" ] && return 0
  mkdir -p "$OUT/v2"
  if [ -f "$CK/detector_synth_intl.pt" ]; then
    cp "$CK/detector_synth_intl.pt" "$dst"
    return 0
  fi
  local T="$NICE $PY training/detector/train.py --negatives ../shared/data/no-plates --neg-share 0.15 --threads 2"
  # Session 3 stopped its 6000-step run at step 3500 (--stop-at: the same schedule, ended there).
  [ -f "$OUT/v2/synth3500.pt" ] || $T --steps 6000 --stop-at 3500 --lr 3e-3 --seed 41 --save-every 500 \
    --out $OUT/v2/synth3500.pt --onnx $OUT/v2/synth3500.onnx
  $T --init $OUT/v2/synth3500.pt --synthetic $OUT/detector,$OUT/detector_intl --max-shards 6 --steps 1200 --lr 1.5e-3 \
    --seed 43 --save-every 300 --out "$dst" --onnx $OUT/v2/synth_intl.onnx
}

detector_folds() {
  # The shipped recipe's folds with three seed bases (20: det_f{f}_intl, 40: _s40, 60: _s60), as the held-out
  # scene figures use them. kfold.sh skips a fold whose model exists.
  # OUT is exported above (for dataset/shards) and kfold.sh reads OUT too: hand it its own folder.
  local KF="OUT=$OUT/v2 SYNTH=$OUT/v2/synth_intl.pt SYNTHETIC=$OUT/detector,$OUT/detector_intl $NICE bash training/detector/kfold.sh"
  for s in 20 40 60; do
    local tag=_intl
    [ $s = 20 ] || tag=_intl_s$s
    lanes "SEED_BASE=$s TAG=$tag $KF 0 1 2" "SEED_BASE=$s TAG=$tag $KF 3 4"
  done
}

heldout() {
  echo "crops (and the reader-only scene figure): $(tr -d '\n ' < $OUT/kf_v3dsoB/pooled.json)"
  local runs=() s
  for s in "" _s40 _s60; do  # the three detector seeds side by side (each eval is one thread)
    [ -f "$OUT/ho_v3dsoB$s/pooled.json" ] || runs+=("$PY -m training.ocr.heldout_scenes --reader $OUT/kf_v3dsoB \
      --detector '$OUT/v2/det_f{f}_intl$s.onnx' --settings 'detectorThreshold: 0.4' --margin-y 0.09 --out $OUT/ho_v3dsoB$s")
  done
  [ ${#runs[@]} -eq 0 ] || lanes "${runs[@]}"
  for s in "" _s40 _s60; do
    echo "scenes, detector seeds ${s:-_s20}: $($PY -c 'import json, sys; p = json.load(open(sys.argv[1])); p.pop("failures", None); print(p)' $OUT/ho_v3dsoB$s/pooled.json)"
  done
}

STAGES=${*:-reader-data reader-base reader-folds detector-data detector-base detector-folds heldout}
for stage in $STAGES; do
  echo "== rebuild: $stage ($(date +%H:%M))"
  case $stage in
    reader-data) reader_data ;;
    reader-base) reader_base ;;
    reader-folds) reader_folds ;;
    detector-data) detector_data ;;
    detector-base) detector_base ;;
    detector-folds) detector_folds ;;
    heldout) heldout ;;
    *) echo "rebuild: unknown stage '$stage'" >&2; exit 2 ;;
  esac
done
echo "== rebuild: done ($(date +%H:%M))"
