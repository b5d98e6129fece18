"""Honest figures for a reader fine-tuned on real crops: k-fold over ../shared/data/us-plate-crops.

For each fold k: fine-tune the synthetic-only base on the other folds (+ synthetic), export it, and
score ONLY fold k with the real pipeline (`platewatch eval`, native OpenCV dnn). The folds' results
are pooled into one figure over all crops, each crop scored by a model that never saw it.

  nice -n 10 /usr/bin/python3 -m training.ocr.kfold --base training/out/base.pt --folds 5 --steps 250 --seed 1

Needs `npm run build` (the eval command) and training/out/synth (make_dataset).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

from training.ocr.train import fold_of

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def platewatch_eval(crops_dir: str, model_dir: str, top: int = 5, settings: str = "") -> dict:
    """settings: more `recognizer:` lines for the config, e.g. "detectorThreshold: 0.4"."""
    cfg = os.path.join(model_dir, "eval.yaml")
    with open(cfg, "w") as f:
        f.write(f"recognizer:\n  modelDir: {model_dir}\n")
        for line in filter(None, settings.split(";")):
            f.write(f"  {line.strip()}\n")
    for attempt in range(5):  # the shared work tree's dist/ may be mid-rebuild by someone else: retry
        out = subprocess.run(["node", os.path.join(ROOT, "bin", "platewatch.js"), "-c", cfg, "eval", crops_dir, "--json",
                              "--top", str(top)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode == 0:
            return json.loads(out.stdout)
        print(f"platewatch eval failed (attempt {attempt + 1}): {out.stderr.strip()[-300:]}", flush=True)
        time.sleep(60)
    raise SystemExit("platewatch eval keeps failing")


def scene_subset_dir(scenes: str, files: list[str]) -> str:
    """A temp folder of symlinks to the held-out scenes plus their labels.tsv rows."""
    d = tempfile.mkdtemp(prefix="pw-scenefold-")
    with open(os.path.join(scenes, "labels.tsv")) as f:
        lines = f.read().splitlines()
    with open(os.path.join(d, "labels.tsv"), "w") as f:
        f.write(lines[0] + "\n")
        for line in lines[1:]:
            name = line.split("\t")[0]
            if name in files:
                os.symlink(os.path.join(os.path.abspath(scenes), name), os.path.join(d, name))
                f.write(line + "\n")
    return d


def subset_dir(real: str, files: list[str], rows: dict[str, dict[str, str]]) -> str:
    """A temp folder of symlinks to the held-out crops plus their labels.csv (nothing is copied)."""
    d = tempfile.mkdtemp(prefix="pw-fold-")
    with open(os.path.join(d, "labels.csv"), "w") as f:
        f.write("file,state,plate\n")
        for name in files:
            os.symlink(os.path.join(os.path.abspath(real), name), os.path.join(d, name))
            f.write(f"{name},{rows[name]['state']},{rows[name]['plate']}\n")
    return d


def scene_files(scenes: str) -> list[str]:
    with open(os.path.join(scenes, "labels.tsv")) as f:
        return [line.split("\t")[0] for line in f.read().splitlines()[1:] if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="the model each fold starts from; {k} is replaced by the fold "
                    "(e.g. training/out/kfold600/fold{k}/model.pt: a fold model that never saw fold k)")
    ap.add_argument("--scenes", default="", help="also train on these labelled scenes (fold k held out) and score "
                    "held-out scenes with the whole pipeline (models/plate_detector.onnx in front)")
    ap.add_argument("--scene-weight", type=float, default=0.25)
    ap.add_argument("--margin-x", type=float, default=0.0)
    ap.add_argument("--margin-y", type=float, default=0.0)
    ap.add_argument("--real", default=os.path.join(ROOT, "..", "shared", "data", "us-plate-crops"))
    ap.add_argument("--synth", default="training/out/synth")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only", type=int, nargs="*", default=None, help="run these folds only (results are cached)")
    ap.add_argument("--steps", type=int, default=250)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--real-weight", type=float, default=0.5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--aug", choices=["base", "strong"], default="base")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--arch", default="", help="network size (default: the --base model's)")
    ap.add_argument("--splice-weight", type=float, default=0.0)
    ap.add_argument("--foreign-weight", type=float, default=0.5, help="train.py --foreign-weight")
    ap.add_argument("--state-only", action="store_true", help="train the state head only (train.py --state-only)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads of each fold's training")
    ap.add_argument("--out", default="training/out/kfold")
    ap.add_argument("--eval-only", action="store_true", help="re-score the fold models already trained (e.g. after "
                    "a change to decoding or thresholds)")
    a = ap.parse_args()

    with open(os.path.join(a.real, "labels.csv")) as f:
        rows = {r["file"]: r for r in csv.DictReader(f)}
    folds = fold_of(list(rows), a.folds, 12345)
    os.makedirs(a.out, exist_ok=True)
    results = {}
    for k in range(a.folds):
        res_path = os.path.join(a.out, f"fold{k}.eval.json")
        if a.only is not None and k not in a.only:
            if os.path.exists(res_path):
                results[k] = json.load(open(res_path))
            continue
        model_dir = os.path.join(os.path.abspath(a.out), f"fold{k}")
        os.makedirs(model_dir, exist_ok=True)
        if not a.eval_only and os.path.exists(res_path) and os.path.exists(os.path.join(model_dir, "model.pt")):
            # Trained and scored already (an interrupted run continues): delete the folder to train again.
            results[k] = json.load(open(res_path))
            print(f"fold {k}: done already ({res_path})", flush=True)
            continue
        if not a.eval_only:
            cmd = [sys.executable, "-m", "training.ocr.train", "--synth", a.synth, "--init", a.base.replace("{k}", str(k)),
                   "--real", a.real, "--fold", str(k), "--folds", str(a.folds), "--steps", str(a.steps), "--batch",
                   str(a.batch), "--real-weight", str(a.real_weight), "--lr", str(a.lr), "--seed", str(a.seed), "--threads",
                   str(a.threads), "--out", os.path.join(model_dir, "model.pt"), "--onnx", os.path.join(model_dir, "plate_ocr.onnx"),
                   "--margin-x", str(a.margin_x), "--margin-y", str(a.margin_y), "--aug", a.aug,
                   "--foreign-weight", str(a.foreign_weight)]
            if a.arch:
                cmd += ["--arch", a.arch]
            if a.splice_weight:
                cmd += ["--splice-weight", str(a.splice_weight)]
            if a.state_only:
                cmd += ["--state-only"]
            if a.scenes:
                cmd += ["--scenes", a.scenes, "--scene-weight", str(a.scene_weight)]
            subprocess.run(cmd, check=True, cwd=ROOT)
        held = sorted(f for f, fk in folds.items() if fk == k)
        r = platewatch_eval(subset_dir(a.real, held, rows), model_dir)
        if a.scenes:
            det = os.path.join(model_dir, "plate_detector.onnx")
            if not os.path.exists(det):
                os.symlink(os.path.join(ROOT, "models", "plate_detector.onnx"), det)
            sfolds = fold_of(scene_files(a.scenes), a.folds, 12345)
            r["scenes"] = platewatch_eval(scene_subset_dir(a.scenes, sorted(f for f, fk in sfolds.items() if fk == k)),
                                          model_dir)
        json.dump(r, open(res_path, "w"), indent=1)
        results[k] = r
        msg = f"fold {k}: top1 {r['top1']:.3f} topN {r['topN']:.3f} state {r['stateAccuracy']:.3f} n {r['images']}"
        if "scenes" in r:
            sr = r["scenes"]
            msg += f" | scenes top1 {sr['top1']:.3f} topN {sr['topN']:.3f} detected {sr['detected']:.3f} n {sr['images']}"
        print(msg, flush=True)
    n = sum(r["images"] for r in results.values())
    pooled = {key: sum(r[key] * r["images"] for r in results.values()) / max(1, n) for key in ("top1", "topN", "stateAccuracy")}
    pooled.update({"images": n, "folds": sorted(results), "steps": a.steps, "seed": a.seed})
    sc = [r["scenes"] for r in results.values() if "scenes" in r]
    if sc:
        ns = sum(r["images"] for r in sc)
        pooled["scenes"] = {key: sum(r[key] * r["images"] for r in sc) / max(1, ns) for key in ("top1", "topN", "detected")}
        pooled["scenes"]["images"] = ns
    json.dump(pooled, open(os.path.join(a.out, "pooled.json"), "w"), indent=1)
    print("pooled held-out:", json.dumps(pooled))


if __name__ == "__main__":
    main()
