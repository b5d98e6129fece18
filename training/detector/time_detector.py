"""CPU time (not wall time: the shared machine is loaded) of the detector on one thread, as the native
stage runs it: exact integer-ratio INTER_AREA downscale, the coarse gate (a pass at half that size,
skipped for LocalizePlates::kGateBackoff frames after it opened), then, when the gate opens, the full
OpenCV dnn forward + decode; on a run of rendered frames with plates, a run of rendered scenes without
plates (cars, signs, lettering), and a run of flat grey frames with sensor noise (bench/recognizer.ts's
empty frame), at 720p and 1080p. --compare times another model (no gate) on the same frames, interleaved
frame by frame, so load changes on the shared machine hit both alike.

    /usr/bin/python3 training/detector/time_detector.py models/plate_detector.onnx [--runs 50] [--max-side 640]
        [--compare old.onnx --compare-max-side 480]
"""
import argparse
import os
import random
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from common import coarse_max, decode, prepare  # noqa: E402
from tools.synth.scene import SceneSpec, render_scene  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--max-side", type=int, default=640, help="detectorMaxSide")
    ap.add_argument("--gate", type=float, default=0.1, help="LocalizePlates::kCoarseGate; 0: no coarse pass")
    ap.add_argument("--backoff", type=int, default=8, help="LocalizePlates::kGateBackoff")
    ap.add_argument("--compare", default="", help="another model, timed without the gate")
    ap.add_argument("--compare-max-side", type=int, default=480)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.onnx)
    coarse_net = cv2.dnn.readNetFromONNX(args.onnx)
    other = cv2.dnn.readNetFromONNX(args.compare) if args.compare else None
    rng = random.Random(3)
    nrng = np.random.default_rng(1)
    for w, h in [(1280, 720), (1920, 1080)]:
        for kind in ("with plates", "scene, no plate", "grey noise"):
            if kind == "grey noise":
                frames = [np.clip(nrng.normal(110, 12, (h, w)), 0, 255).astype(np.uint8)]
            else:
                spec = SceneSpec(w, h, 30, 100, 3, 0.5, 1.0 if kind != "with plates" else 0.0)
                frames = [cv2.cvtColor(render_scene(rng, spec)[0], cv2.COLOR_BGR2GRAY) for _ in range(3)]
            ts, tc, opened, skip = [], [], 0, 0
            for r in range(args.runs):
                g = frames[r % len(frames)]
                t0 = time.process_time()
                inp, k = prepare(g, args.max_side)
                shape = inp.shape
                go = True
                if skip > 0:
                    skip -= 1
                elif args.gate > 0:
                    gate = coarse_max(coarse_net, inp, w // k, h // k)
                    go = gate is None or gate >= args.gate
                    skip = args.backoff if go and gate is not None else 0
                if go:
                    opened += 1
                    net.setInput(inp[None, None].astype(np.float32))
                    decode(net.forward(), 0.5)
                ts.append(time.process_time() - t0)
                if other is not None:
                    t0 = time.process_time()
                    inp, k = prepare(g, args.compare_max_side)
                    other.setInput(inp[None, None].astype(np.float32))
                    decode(other.forward(), 0.5)
                    tc.append(time.process_time() - t0)
            cmp = (f"; --compare at {args.compare_max_side}: {1000 * np.median(tc):.2f} ms (min {1000 * min(tc):.2f})"
                   if tc else "")
            print(f"{w}x{h} {kind:15s} input {shape[1]}x{shape[0]}: {1000 * np.median(ts):.2f} ms CPU "
                  f"(median of {args.runs}; min {1000 * min(ts):.2f}); full pass on {opened}/{args.runs}{cmp}")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
