"""Generates the detector's synthetic training set: grey scenes already downscaled by an exact
integer ratio (INTER_AREA, as the native stage does), with plate corners at network resolution.

    nice -n 10 /usr/bin/python3 training/detector/gen_data.py --shards 0:40 --backgrounds ../shared/data/no-plates

Writes training/out/detector/shard_NNNN.npz (images uint8 (N,H,W); quads float32 (M,4,2); owner int32 (M,)).
Shard i is generated from seed 1000 + i, so any shard can be regenerated alone.
"""
import argparse
import glob
import os
import random
import sys

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from tools.synth.scene import SceneSpec, render_scene  # noqa: E402

PATCH_H, PATCH_W = 192, 320
SCALES = [(2, 0.3), (3, 0.5), (4, 0.2)]  # integer downscale ratio and its share
# --large: close-up scenes (a phone photo of a parked car), plates 30-90 px tall in the network's input,
# beyond the 6.5-45 px of the default shards.
LARGE_SCALES = [(1, 0.5), (2, 0.5)]


def load_backgrounds(folder):
    out = []
    for f in sorted(glob.glob(os.path.join(folder, "*"))):
        if f.endswith(".tsv"):
            continue
        im = cv2.imread(f, cv2.IMREAD_COLOR)
        if im is not None:
            out.append(im)
    return out


def make_shard(index, n, backgrounds, out_dir, intl=0.0, large=False):
    rng = random.Random(1000 + index)
    images = np.zeros((n, PATCH_H, PATCH_W), np.uint8)
    quads, owner = [], []
    scales = LARGE_SCALES if large else SCALES
    for i in range(n):
        k = rng.choices([s for s, _ in scales], [p for _, p in scales])[0]
        if large:
            spec = SceneSpec(PATCH_W * k, PATCH_H * k, 30.0 * k, 90.0 * k, 2, 1.0, 0.1, True, True, backgrounds,
                             gray=True, intl=intl)
        else:
            spec = SceneSpec(PATCH_W * k, PATCH_H * k, max(20.0, 6.5 * k), min(140.0, 45.0 * k), 4, 1.0, 0.15,
                             True, True, backgrounds, gray=True, intl=intl)
        scene, qs = render_scene(rng, spec)
        images[i] = cv2.resize(scene, (PATCH_W, PATCH_H), interpolation=cv2.INTER_AREA)
        for q in qs:
            quads.append(q / k)
            owner.append(i)
    path = os.path.join(out_dir, f"shard_{index:04d}.npz")
    np.savez_compressed(path + ".tmp.npz", images=images, quads=np.array(quads, np.float32).reshape(-1, 4, 2),
                        owner=np.array(owner, np.int32))
    os.replace(path + ".tmp.npz", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shards", default="0:40", help="range a:b of shard indices to generate")
    ap.add_argument("--per-shard", type=int, default=500)
    ap.add_argument("--backgrounds", default=os.path.join(ROOT, "..", "shared", "data", "no-plates"))
    ap.add_argument("--out", default=os.path.join(ROOT, "training", "out", "detector"))
    ap.add_argument("--intl", type=float, default=0.0, help="share of foreign (European, Brazilian) plates; "
                    "use shard indices of their own (e.g. 100:104) so the seeds differ from the US shards")
    ap.add_argument("--large", action="store_true", help="close-up scenes: plates 30-90 px tall at network "
                    "resolution (use shard indices of their own, e.g. 200:206)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    bgs = load_backgrounds(args.backgrounds) if os.path.isdir(args.backgrounds) else []
    print(f"{len(bgs)} background photos", flush=True)
    a, b = map(int, args.shards.split(":"))
    for i in range(a, b):
        if os.path.exists(os.path.join(args.out, f"shard_{i:04d}.npz")):
            continue
        make_shard(i, args.per_shard, bgs, args.out, args.intl, args.large)
        print(f"shard {i} done", flush=True)


if __name__ == "__main__":
    main()
