"""Scores an exported detector (ONNX through OpenCV dnn, as the native stage runs it) on the dev
scenes: detected = share of labelled plates with a candidate box IoU > 0.4; extra candidates per
image; candidates per image on the no-plate photos: all of them, and the odd-indexed half that
train.py --negatives never trains on (the held-out false-region figure).

    /usr/bin/python3 training/detector/eval_dev.py model.onnx [--fold F] [--thr 0.5] [--max-side 640] [--refine]
"""
import argparse
import os
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MAX_INPUT_SIDE, PROPOSAL_SCORE, box_of, coarse_max, coarse_proposals, decode, iou, prepare, refine  # noqa: E402
from train import fold_of, negative_files, read_labels  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "..", "shared", "data")


def detect(net, gray, thr, max_side=MAX_INPUT_SIDE, coarse=None, window_net=None):
    """coarse: None, or (coarse net, list) to run the native stage's gate, appending its score to list
    (the full pass runs regardless, so one run scores every gate threshold). window_net: also run the
    native RefinePlates stage (proposals down to PROPOSAL_SCORE, re-scored by a window pass)."""
    inp, k = prepare(gray, max_side)
    if coarse is not None:
        h, w = gray.shape[:2]
        coarse[1].append(coarse_max(coarse[0], inp, w // k, h // k))
    net.setInput(inp[None, None].astype(np.float32))
    out = net.forward()
    if window_net is None:
        return [(s, q * k) for s, q in decode(out, thr)]
    pthr = max(min(thr, PROPOSAL_SCORE), 2 * thr - 1)
    proposals = [(s, q * k) for s, q in decode(out, pthr)]
    if not proposals:  # a close-up's plate, too tall for the full pass
        h, w = gray.shape[:2]
        proposals = [(s, q * k) for s, q in coarse_proposals(net, inp, w // k, h // k, pthr)]
    return refine(window_net, gray, proposals, thr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("--fold", type=int, default=-1, help="score only dev fold F (0..4)")
    ap.add_argument("--thr", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6])
    ap.add_argument("--negatives", type=int, default=360)
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--max-side", type=int, default=MAX_INPUT_SIDE, help="detectorMaxSide")
    ap.add_argument("--gates", type=float, nargs="*", default=[0.02, 0.05, 0.1],
                    help="also score the native coarse gate (LocalizePlates::kCoarseGate) at these values")
    ap.add_argument("--refine", action="store_true", help="run the RefinePlates window pass (native default)")
    args = ap.parse_args()
    if args.refine and len(args.thr) > 1:
        ap.error("--refine scores one --thr per run (the window pass's own score must reach it too)")
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.onnx)
    window_net = cv2.dnn.readNetFromONNX(args.onnx) if args.refine else None
    coarse = (cv2.dnn.readNetFromONNX(args.onnx), []) if args.gates else None
    ngate = []
    rows = sorted(read_labels(os.path.join(DATA, "us-plates")))
    pos = []
    times = []
    for i, (f, x, y, w, h, plate) in enumerate(rows):
        if args.fold >= 0 and fold_of(i) != args.fold:
            continue
        g = cv2.imread(os.path.join(DATA, "us-plates", f), cv2.IMREAD_GRAYSCALE)
        t = time.perf_counter()
        dets = detect(net, g, min(args.thr), args.max_side, coarse, window_net)
        times.append((time.perf_counter() - t) * 1000)
        pos.append((f, (x, y, w, h), [(s, box_of(q)) for s, q in dets]))
    negs, held = [], set(negative_files(os.path.join(DATA, "no-plates"), "held-out"))
    nfiles = sorted(negative_files(os.path.join(DATA, "no-plates"), "train") + list(held))
    for f in nfiles[: args.negatives]:
        g = cv2.imread(f, cv2.IMREAD_GRAYSCALE)
        if g is None:
            continue
        negs.append((f in held, [s for s, _ in detect(net, g, min(args.thr), args.max_side, coarse, window_net)]))
    for thr in args.thr:
        hit = extra = 0
        for f, box, dets in pos:
            d = [b for s, b in dets if s >= thr]
            ok = any(iou(box, b) > 0.4 for b in d)
            hit += ok
            extra += sum(1 for b in d if iou(box, b) <= 0.1)
            if args.misses and not ok and thr == args.thr[0]:
                print("miss", f, box, [(round(s, 2), tuple(int(v) for v in b)) for s, b in dets[:3]])
        neg = sum(sum(1 for s in n if s >= thr) for _, n in negs)
        nheld = [n for h, n in negs if h]
        negh = sum(sum(1 for s in n if s >= thr) for n in nheld)
        print(f"thr {thr:.2f}: detected {hit}/{len(pos)} = {hit / max(1, len(pos)):.3f}  extra/img "
              f"{extra / max(1, len(pos)):.3f}  no-plates cand/img {neg / max(1, len(negs)):.3f} ({len(negs)} imgs), "
              f"held-out half {negh / max(1, len(nheld)):.3f} ({len(nheld)} imgs)")
    for gate in args.gates:
        gs = coarse[1]
        gp, gn = gs[: len(pos)], gs[len(pos):]
        opened = lambda v: v is None or v >= gate  # noqa: E731
        line = []
        for thr in args.thr:
            hit = sum(1 for (f, box, dets), v in zip(pos, gp)
                      if opened(v) and any(iou(box, b) > 0.4 for s, b in dets if s >= thr))
            neg = sum(sum(1 for s in n if s >= thr) for (_, n), v in zip(negs, gn) if opened(v))
            line.append(f"thr {thr:.2f} detected {hit}/{len(pos)} no-plates cand/img {neg / max(1, len(negs)):.3f}")
        print(f"gate {gate:.2f}: scenes through {sum(map(opened, gp))}/{len(pos)}, no-plate images through "
              f"{sum(map(opened, gn))}/{len(gn)}; " + "; ".join(line))
    print(f"python dnn+decode ms median {np.median(times):.2f}")


if __name__ == "__main__":
    main()
