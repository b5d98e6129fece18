"""CPU time (not wall time: the shared machine is loaded) of the detector on one thread, as the native
stage runs it: exact integer-ratio INTER_AREA downscale + OpenCV dnn forward + decode, on rendered
frames with and without plates at 720p and 1080p.

    /usr/bin/python3 training/detector/time_detector.py models/plate_detector.onnx [--runs 50]
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
from common import decode, prepare  # noqa: E402
from tools.synth.scene import SceneSpec, render_scene  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx")
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.onnx)
    rng = random.Random(3)
    for w, h in [(1280, 720), (1920, 1080)]:
        for empty in (False, True):
            frames = [cv2.cvtColor(render_scene(rng, SceneSpec(w, h, 30, 100, 3, 0.5, 1.0 if empty else 0.0))[0],
                                   cv2.COLOR_BGR2GRAY) for _ in range(3)]
            rs, ns = [], []
            for r in range(args.runs):
                g = frames[r % len(frames)]
                t0 = time.process_time()
                inp, k = prepare(g)
                t1 = time.process_time()
                net.setInput(inp[None, None].astype(np.float32))
                out = net.forward()
                decode(out, 0.5)
                t2 = time.process_time()
                rs.append(t1 - t0)
                ns.append(t2 - t1)
            print(f"{w}x{h} {'no plate   ' if empty else 'with plates'} input {inp.shape[1]}x{inp.shape[0]}: "
                  f"resize {1000 * np.median(rs):.2f} ms + net/decode {1000 * np.median(ns):.2f} ms = "
                  f"{1000 * (np.median(rs) + np.median(ns)):.2f} ms CPU (median of {args.runs})")
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
