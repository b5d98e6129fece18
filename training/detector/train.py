"""Trains the plate detector on synthetic scenes (gen_data.py), optionally plus real dev scenes.

Synthetic only (the shipped model's first stage):
    nice -n 10 /usr/bin/python3 training/detector/train.py --steps 4000 --out training/out/det_synth.pt
Fine-tune with real scenes, holding fold F of 5 out (k-fold check) or none (--fold -1):
    nice -n 10 /usr/bin/python3 training/detector/train.py --init training/out/det_synth.pt \
        --real ../shared/data/us-plates --fold 0 --steps 800 --lr 1e-3 --out training/out/det_f0.pt
"""
import argparse
import csv
import glob
import math
import os
import random
import sys
import time

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MAX_INPUT_SIDE, downscale_ratio, make_targets  # noqa: E402
from model import STRIDE, PlateDetector, export_onnx  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATCH_H, PATCH_W = 192, 320  # stored samples
CROP_H, CROP_W = 160, 256    # what a training step sees (a random crop: cheaper steps)


class Synthetic:
    def __init__(self, folder, max_shards=0):
        self.folder = folder
        self.max_shards = max_shards
        self.loaded = set()
        self.images, self.quads = [], []
        self.refresh()

    def refresh(self):
        files = []
        for folder in self.folder.split(","):  # comma-separated folders; max_shards applies to each
            found = sorted(glob.glob(os.path.join(folder, "shard_*.npz")))
            files += found[: self.max_shards] if self.max_shards else found
        for f in files:
            if f in self.loaded or f.endswith(".tmp.npz"):
                continue
            d = np.load(f)
            imgs, quads, owner = d["images"], d["quads"], d["owner"]
            for i in range(len(imgs)):
                self.images.append(imgs[i])
                self.quads.append(quads[owner == i])
            self.loaded.add(f)

    def sample(self, rng):
        i = rng.randrange(len(self.images))
        return self.images[i], list(self.quads[i])


def read_labels(folder):
    with open(os.path.join(folder, "labels.tsv")) as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    return [(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5]) for r in rows]


def fold_of(index, folds=5):
    return index % folds


def negative_files(folder, part="train"):
    """The no-plate photos, split by sorted index: even = training negatives, odd = held out for the
    false-region figure (eval_dev.py)."""
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".jpg", ".jpeg", ".png")))
    return [os.path.join(folder, f) for i, f in enumerate(files) if (i % 2 == 0) == (part == "train")]


class Negatives:
    """Hard negatives: real photos with no plate (signs, lettering, car parts), shrunk as the native
    stage shrinks a frame (with +-25 % scale jitter); a random patch, no targets."""

    def __init__(self, folder, max_side):
        self.max_side = max_side
        self.items = [g for g in (cv2.imread(f, cv2.IMREAD_GRAYSCALE) for f in negative_files(folder)) if g is not None]

    def sample(self, rng):
        g = rng.choice(self.items)
        h, w = g.shape
        k = max(1.0, downscale_ratio(w, h, self.max_side) * rng.uniform(0.75, 1.3))
        small = cv2.resize(g, (max(1, int(w / k)), max(1, int(h / k))), interpolation=cv2.INTER_AREA)
        patch = np.full((PATCH_H, PATCH_W), int(small.mean()), np.uint8)
        sh, sw = small.shape
        cy = rng.randint(0, max(0, sh - PATCH_H))
        cx = rng.randint(0, max(0, sw - PATCH_W))
        crop = small[cy:cy + PATCH_H, cx:cx + PATCH_W]
        patch[: crop.shape[0], : crop.shape[1]] = crop
        return patch, []


class Real:
    """Dev scenes (box labels only: corners = the box's corners), cropped around the plate."""

    def __init__(self, folder, fold, folds=5, max_side=MAX_INPUT_SIDE, scale=(0.75, 1.3)):
        self.max_side = max_side
        self.scale = scale
        rows = sorted(read_labels(folder))
        self.items = []
        for i, (f, x, y, w, h, _) in enumerate(rows):
            if fold >= 0 and fold_of(i, folds) == fold:
                continue
            g = cv2.imread(os.path.join(folder, f), cv2.IMREAD_GRAYSCALE)
            if g is not None:
                self.items.append((g, np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)))

    def sample(self, rng):
        g, q = rng.choice(self.items)
        h, w = g.shape
        k = downscale_ratio(w, h, self.max_side) * rng.uniform(*self.scale)
        k = max(1.0, k)
        sw, sh = int(w / k), int(h / k)
        small = cv2.resize(g, (sw, sh), interpolation=cv2.INTER_AREA)
        q = q * [sw / w, sh / h]
        x0, y0 = q.min(0)
        x1, y1 = q.max(0)
        # random crop that contains the plate
        cx = rng.uniform(max(0, x1 - PATCH_W), max(0, min(x0, sw - PATCH_W))) if sw > PATCH_W else 0
        cy = rng.uniform(max(0, y1 - PATCH_H), max(0, min(y0, sh - PATCH_H))) if sh > PATCH_H else 0
        cx, cy = int(cx), int(cy)
        patch = np.zeros((PATCH_H, PATCH_W), np.uint8)
        crop = small[cy:cy + PATCH_H, cx:cx + PATCH_W]
        patch[: crop.shape[0], : crop.shape[1]] = crop
        img = patch.astype(np.float32) * rng.uniform(0.7, 1.3) + rng.uniform(-30, 30)
        return np.clip(img, 0, 255).astype(np.uint8), [q - [cx, cy]]


def random_crop(rng, img, quads, ch, cw):
    h, w = img.shape
    if quads and rng.random() < 0.7:  # mostly crops holding a plate, anywhere in the crop
        c = rng.choice(quads).mean(0)
        y = int(min(max(0, c[1] - rng.uniform(0, ch)), h - ch))
        x = int(min(max(0, c[0] - rng.uniform(0, cw)), w - cw))
    else:
        y, x = rng.randint(0, h - ch), rng.randint(0, w - cw)
    out = []
    for q in quads:
        c = q.mean(0)
        if x <= c[0] < x + cw and y <= c[1] < y + ch:
            out.append(q - [x, y])
    return img[y:y + ch, x:x + cw], out


def flip(img, quads):
    w = img.shape[1]
    out = []
    for q in quads:
        f = q.copy()
        f[:, 0] = w - q[:, 0]
        out.append(f[[1, 0, 3, 2]])
    return img[:, ::-1], out


def focal_loss(logit, gt):
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = -torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = -torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * neg
    return (pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic", default=os.path.join(ROOT, "training", "out", "detector"))
    ap.add_argument("--real", default="")
    ap.add_argument("--fold", type=int, default=-1, help="dev fold held out (0..4); -1 trains on all dev scenes")
    ap.add_argument("--real-share", type=float, default=0.3)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--stop-at", type=int, default=0, help="end after this many steps, on the --steps schedule (session 3 "
                    "stopped its 6000-step synthetic run at step 3500: synth3500.pt)")
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--init", default="")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-side", type=int, default=MAX_INPUT_SIDE, help="detectorMaxSide the real scenes are shrunk for")
    ap.add_argument("--negatives", default="", help="no-plate photos folder: even-indexed files become hard negatives")
    ap.add_argument("--neg-share", type=float, default=0.15)
    ap.add_argument("--real-scale", default="0.75:1.3", help="jitter a:b of the real scenes' shrink ratio")
    ap.add_argument("--out", required=True)
    ap.add_argument("--onnx", default="")
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--crop", default=f"{CROP_H}x{CROP_W}", help="training crop HxW (multiples of 32)")
    ap.add_argument("--max-shards", type=int, default=0, help="use only the first N synthetic shards of each "
                    "--synthetic folder (comma-separated) (0: all)")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)  # before training, not at its first save

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    syn = Synthetic(args.synthetic, args.max_shards)
    scale = tuple(map(float, args.real_scale.split(":")))
    real = Real(args.real, args.fold, max_side=args.max_side, scale=scale) if args.real else None
    negs = Negatives(args.negatives, args.max_side) if args.negatives else None
    print(f"synthetic {len(syn.images)} real {len(real.items) if real else 0} negatives {len(negs.items) if negs else 0}",
          flush=True)
    model = PlateDetector()
    if args.init:
        model.load_state_dict(torch.load(args.init))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    model = model.to(memory_format=torch.channels_last)  # 2-3x faster convolutions on this CPU build
    crop_h, crop_w = map(int, args.crop.split("x"))
    gh, gw = crop_h // STRIDE, crop_w // STRIDE
    t0 = time.time()
    run_h = run_r = 0.0
    last = min(args.steps, args.stop_at) if args.stop_at > 0 else args.steps
    for step in range(1, last + 1):
        if step % 200 == 0:
            syn.refresh()
        lr = args.lr * min(1.0, step / min(100, max(1, args.steps // 8))) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        imgs, quads = [], []
        for _ in range(args.batch):
            u = rng.random()
            if real and u < args.real_share:
                img, q = real.sample(rng)
            elif negs and u < args.real_share + args.neg_share:
                img, q = negs.sample(rng)
            else:
                img, q = syn.sample(rng)
            img, q = random_crop(rng, img, q, crop_h, crop_w)
            if rng.random() < 0.5:
                img, q = flip(img, q)
            imgs.append(np.ascontiguousarray(img))
            quads.append(q)
        heat, reg, regw = make_targets(quads, gh, gw)
        x = torch.from_numpy(np.stack(imgs)[:, None].astype(np.float32)).contiguous(memory_format=torch.channels_last)
        out = model(x)
        lh = focal_loss(out[:, :1], torch.from_numpy(heat))
        w = torch.from_numpy(regw)
        lr_ = (torch.nn.functional.smooth_l1_loss(out[:, 1:], torch.from_numpy(reg), reduction="none", beta=0.1) * w).sum() / (w.sum() * 8).clamp(min=1)
        loss = lh + 2.0 * lr_
        opt.zero_grad()
        loss.backward()
        opt.step()
        run_h = 0.98 * run_h + 0.02 * lh.item()
        run_r = 0.98 * run_r + 0.02 * lr_.item()
        if step % 50 == 0:
            print(f"step {step} lr {lr:.5f} heat {run_h:.4f} reg {run_r:.4f} synthetic {len(syn.images)} "
                  f"{(time.time() - t0) / step:.2f}s/step", flush=True)
        if step % args.save_every == 0 or step == last:
            torch.save(model.state_dict(), args.out)
            if args.onnx:
                m2 = PlateDetector()
                m2.load_state_dict(model.state_dict())
                export_onnx(m2, args.onnx, 256, 448)
    print("done", args.out, args.onnx)


if __name__ == "__main__":
    main()
