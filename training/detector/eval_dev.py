"""Scores an exported detector (ONNX through OpenCV dnn, as the native stage runs it) on the dev
scenes: detected = share of labelled plates with a candidate box IoU > 0.4; extra candidates per
image; candidates per image on the no-plate photos.

    /usr/bin/python3 training/detector/eval_dev.py model.onnx [--fold F] [--thr 0.5]
"""
import argparse
import os
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import box_of, decode, iou, prepare  # noqa: E402
from train import fold_of, read_labels  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data")


def detect(net, gray, thr, max_side=480):
    inp, k = prepare(gray, max_side)
    net.setInput(inp[None, None].astype(np.float32))
    out = net.forward()
    return [(s, q * k) for s, q in decode(out, thr)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("--fold", type=int, default=-1, help="score only dev fold F (0..4)")
    ap.add_argument("--thr", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6])
    ap.add_argument("--negatives", type=int, default=360)
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--max-side", type=int, default=480, help="detectorMaxSide")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.onnx)
    rows = sorted(read_labels(os.path.join(DATA, "us-plates")))
    pos = []
    times = []
    for i, (f, x, y, w, h, plate) in enumerate(rows):
        if args.fold >= 0 and fold_of(i) != args.fold:
            continue
        g = cv2.imread(os.path.join(DATA, "us-plates", f), cv2.IMREAD_GRAYSCALE)
        t = time.perf_counter()
        dets = detect(net, g, min(args.thr), args.max_side)
        times.append((time.perf_counter() - t) * 1000)
        pos.append((f, (x, y, w, h), [(s, box_of(q)) for s, q in dets]))
    negs = []
    nfiles = sorted(f for f in os.listdir(os.path.join(DATA, "no-plates")) if not f.endswith(".tsv"))
    for f in nfiles[: args.negatives]:
        g = cv2.imread(os.path.join(DATA, "no-plates", f), cv2.IMREAD_GRAYSCALE)
        if g is None:
            continue
        negs.append([s for s, _ in detect(net, g, min(args.thr), args.max_side)])
    for thr in args.thr:
        hit = extra = 0
        for f, box, dets in pos:
            d = [b for s, b in dets if s >= thr]
            ok = any(iou(box, b) > 0.4 for b in d)
            hit += ok
            extra += sum(1 for b in d if iou(box, b) <= 0.1)
            if args.misses and not ok and thr == args.thr[0]:
                print("miss", f, box, [(round(s, 2), tuple(int(v) for v in b)) for s, b in dets[:3]])
        neg = sum(sum(1 for s in n if s >= thr) for n in negs)
        print(f"thr {thr:.2f}: detected {hit}/{len(pos)} = {hit / max(1, len(pos)):.3f}  extra/img "
              f"{extra / max(1, len(pos)):.3f}  no-plates cand/img {neg / max(1, len(negs)):.3f} ({len(negs)} imgs)")
    print(f"python dnn+decode ms median {np.median(times):.2f}")


if __name__ == "__main__":
    main()
