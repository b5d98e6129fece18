"""Scene figures with BOTH the detector and the reader held out: each dev scene is scored by the
pipeline whose detector fold model (training/detector/kfold.sh: fold = sorted index mod 5) and whose
reader fold model (training/ocr/kfold.py: seeded shuffle, seed 12345) never saw it.

  /usr/bin/python3 -m training.ocr.heldout_scenes --reader training/out/kf_sc1 \
      --detector 'training/out/v2/det_f{f}.onnx' [--margin-x 0.1 --margin-y 0.12] --out training/out/heldout_sc1

--margin-x/--margin-y override the reader's rectify margins (plate_ocr.json) for this measurement.
"""
from __future__ import annotations

import argparse
import json
import os

from training.ocr.kfold import ROOT, platewatch_eval, scene_files, scene_subset_dir
from training.ocr.train import fold_of

SCENES = os.path.join(ROOT, "..", "shared", "data", "us-plates")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reader", required=True, help="kfold output folder with fold<k>/plate_ocr.{onnx,json}")
    ap.add_argument("--detector", required=True, help="detector fold model path with {f}")
    ap.add_argument("--scenes", default=SCENES)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--margin-x", type=float, default=None)
    ap.add_argument("--margin-y", type=float, default=None)
    ap.add_argument("--settings", default="", help="more recognizer settings, ';'-separated (e.g. 'detectorThreshold: 0.4')")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    files = scene_files(a.scenes)
    reader_fold = fold_of(files, a.folds, 12345)
    det_fold = {f: i % a.folds for i, f in enumerate(sorted(files))}
    total = {"images": 0, "top1": 0.0, "topN": 0.0, "detected": 0.0}
    failures = []
    for d in range(a.folds):
        for r in range(a.folds):
            subset = sorted(f for f in files if det_fold[f] == d and reader_fold[f] == r)
            if not subset:
                continue
            model_dir = os.path.abspath(os.path.join(a.out, f"d{d}_r{r}"))
            os.makedirs(model_dir, exist_ok=True)
            src = os.path.abspath(os.path.join(a.reader, f"fold{r}"))
            meta = json.load(open(os.path.join(src, "plate_ocr.json")))
            if a.margin_x is not None:
                meta["rectify_margin_x"] = a.margin_x
            if a.margin_y is not None:
                meta["rectify_margin_y"] = a.margin_y
            json.dump(meta, open(os.path.join(model_dir, "plate_ocr.json"), "w"), indent=1)
            for name, target in (("plate_ocr.onnx", os.path.join(src, "plate_ocr.onnx")),
                                 ("plate_detector.onnx", os.path.abspath(a.detector.replace("{f}", str(d))))):
                link = os.path.join(model_dir, name)
                if os.path.lexists(link):
                    os.remove(link)
                os.symlink(target, link)
            res = platewatch_eval(scene_subset_dir(a.scenes, subset), model_dir, settings=a.settings)
            n = res["images"]
            failures += res.get("failures", [])
            total["images"] += n
            for key in ("top1", "topN", "detected"):
                total[key] += res[key] * n
    n = max(1, total["images"])
    pooled = {k: (v / n if k != "images" else v) for k, v in total.items()}
    pooled.update({"reader": a.reader, "detector": a.detector, "margin_x": a.margin_x, "margin_y": a.margin_y,
                   "settings": a.settings})
    print(json.dumps(pooled))
    pooled["failures"] = sorted(failures, key=lambda f: f["file"])  # the scenes not read right, with what was read
    json.dump(pooled, open(os.path.join(a.out, "pooled.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
