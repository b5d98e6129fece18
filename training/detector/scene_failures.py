"""Where do scene reads fail? Each dev scene is run with the detector fold model and the reader fold model
that never saw it (the pairing of training/ocr/heldout_scenes.py) and put in one class:

  right        the top accepted read on the plate is exact
  not found    no proposed region has IoU > 0.4 with the labelled box
  rejected     a region is on the plate but the reader rejected its read (confidence thresholds)
  mis-cropped  the read on the plate is wrong, but the same reader reads the labelled box (cut with the
               reader's rectify margins) right: localization/cropping lost it
  reader       the read on the plate is wrong and the labelled-box crop is read wrong too

Also prints the corner error of the detected region (in plate widths/heights) and the labelled-box ceiling
(share of scenes the reader gets right from the labelled box). Needs `npm run build`.

  /usr/bin/python3 training/detector/scene_failures.py --reader training/out/kf_sc1 \
      --detector 'training/out/v2/det_f{f}.onnx' [--thr 0.5] [--out training/out/fail_v2.json]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import read_labels  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENES = os.path.join(ROOT, "..", "shared", "data", "us-plates")


def reader_folds(files, folds=5, seed=12345):
    """training/ocr/train.py fold_of: a seeded shuffle of the sorted names."""
    order = sorted(files)
    random.Random(seed).shuffle(order)
    return {f: i % folds for i, f in enumerate(order)}


def iou(a, b):
    x0, y0 = max(a["x"], b["x"]), max(a["y"], b["y"])
    x1 = min(a["x"] + a["width"], b["x"] + b["width"])
    y1 = min(a["y"] + a["height"], b["y"] + b["height"])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    u = a["width"] * a["height"] + b["width"] * b["height"] - inter
    return inter / u if u > 0 else 0.0


def norm(s):
    return "".join(c for c in s.upper() if c.isalnum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reader", required=True, help="kfold folder with fold<k>/plate_ocr.{onnx,json}")
    ap.add_argument("--detector", required=True, help="detector fold model path with {f}")
    ap.add_argument("--scenes", default=SCENES)
    ap.add_argument("--thr", type=float, default=None, help="detectorThreshold (default: the config's)")
    ap.add_argument("--max-side", type=int, default=None, help="detectorMaxSide")
    ap.add_argument("--out", default="")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    rows = sorted(read_labels(a.scenes))
    files = [r[0] for r in rows]
    rfold = reader_folds(files)
    tmp = tempfile.mkdtemp(prefix="pw-scenefail-")
    jobs = []
    for i, (f, x, y, w, h, plate) in enumerate(rows):
        d, r = i % 5, rfold[f]
        mdir = os.path.join(tmp, f"d{d}_r{r}")
        if not os.path.isdir(mdir):
            os.makedirs(mdir)
            src = os.path.abspath(os.path.join(a.reader, f"fold{r}"))
            for name, target in (("plate_ocr.onnx", os.path.join(src, "plate_ocr.onnx")),
                                 ("plate_ocr.json", os.path.join(src, "plate_ocr.json")),
                                 ("plate_detector.onnx", os.path.abspath(a.detector.replace("{f}", str(d))))):
                os.symlink(target, os.path.join(mdir, name))
        meta = json.load(open(os.path.join(mdir, "plate_ocr.json")))
        mx, my = meta.get("rectify_margin_x", 0.0), meta.get("rectify_margin_y", 0.0)
        img = cv2.imread(os.path.join(a.scenes, f), cv2.IMREAD_COLOR)
        H, W = img.shape[:2]
        src = np.float32([[x - mx * w, y - my * h], [x + w + mx * w, y - my * h], [x + w + mx * w, y + h + my * h]])
        ow, oh = max(2, round(w * (1 + 2 * mx))), max(2, round(h * (1 + 2 * my)))
        m = cv2.getAffineTransform(src, np.float32([[0, 0], [ow, 0], [ow, oh]]))
        crop = cv2.warpAffine(img, m, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        cpath = os.path.join(tmp, f"crop_{i}.png")
        cv2.imwrite(cpath, crop)
        opts = {}
        if a.thr is not None:
            opts["detectorThreshold"] = a.thr
        if a.max_side is not None:
            opts["detectorMaxSide"] = a.max_side
        jobs.append({"file": f, "scene": os.path.abspath(os.path.join(a.scenes, f)), "crop": cpath, "modelDir": mdir,
                     "options": opts, "box": {"x": x, "y": y, "width": w, "height": h}, "plate": norm(plate)})
    jpath = os.path.join(tmp, "jobs.json")
    json.dump(jobs, open(jpath, "w"))
    res = subprocess.run(["node", os.path.join(ROOT, "training", "detector", "scene_failures.mjs"), jpath],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    outs = json.loads(res.stdout)
    classes = {"right": [], "not found": [], "rejected": [], "mis-cropped": [], "reader": []}
    crop_right = 0
    errs = []  # corner errors of the best region on the plate: (dx0, dx1, dy0, dy1) in plate w / h
    extra = 0
    scene_ms = []
    for job, o in zip(jobs, outs):
        box, truth = job["box"], job["plate"]
        crop_best = max(o["cropReads"], key=lambda r: r["confidence"], default=None)
        crop_ok = crop_best is not None and norm(crop_best["plate"]) == truth
        crop_right += crop_ok
        on = [g for g in o["regions"] if iou(g["box"], box) > 0.4]
        reads = sorted((r for r in o["reads"] if iou(r["box"], box) > 0.4), key=lambda r: -r["confidence"])
        extra += sum(1 for r in o["reads"] if iou(r["box"], box) == 0)
        scene_ms.append(sum(o["stageMs"].values()))
        if on:
            g = max(on, key=lambda g: iou(g["box"], box))
            b = g["box"]
            errs.append(((b["x"] - box["x"]) / box["width"], (b["x"] + b["width"] - box["x"] - box["width"]) / box["width"],
                         (b["y"] - box["y"]) / box["height"],
                         (b["y"] + b["height"] - box["y"] - box["height"]) / box["height"]))
        if reads and norm(reads[0]["plate"]) == truth:
            c = "right"
        elif not on:
            c = "not found"
        elif not reads:
            c = "rejected"
        elif crop_ok:
            c = "mis-cropped"
        else:
            c = "reader"
        classes[c].append(job["file"])
        if a.verbose and c != "right":
            loose = sorted((r for r in o["looseReads"] if iou(r["box"], box) > 0.4), key=lambda r: -r["confidence"])
            print(f"{c:12s} {job['file']:28s} truth {truth:9s} read {reads[0]['plate'] if reads else '-':9s} "
                  f"loose {loose[0]['plate'] if loose else '-':9s} crop {crop_best['plate'] if crop_best else '-':9s} "
                  f"h {box['height']}px")
    n = len(jobs)
    summary = {k: len(v) for k, v in classes.items()}
    summary.update({"scenes": n, "labelled_box_right": crop_right, "extra_reads": extra,
                    "ms_median": float(np.median(scene_ms))})
    e = np.array(errs)
    if len(e):
        summary["region_error_sd"] = {k: round(float(v), 3) for k, v in zip(("left", "right", "top", "bottom"), e.std(0))}
        summary["region_error_mean"] = {k: round(float(v), 3) for k, v in zip(("left", "right", "top", "bottom"), e.mean(0))}
    for k, v in classes.items():
        print(f"{k:12s} {len(v):3d} / {n} = {len(v) / n:.1%}")
    print(f"labelled box read right (ceiling with perfect boxes): {crop_right}/{n} = {crop_right / n:.1%}; "
          f"extra reads {extra}")
    print(json.dumps(summary))
    if a.out:
        json.dump({"summary": summary, "classes": classes}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
