"""Trains the plate reader (CTC text + state head) on CPU and exports it for OpenCV dnn.

Synthetic-only base model:
  nice -n 10 /usr/bin/python3 -m training.ocr.train --synth training/out/synth \
      --epochs 6 --seed 1 --out training/out/base.pt
Fine-tune on real crops (k-fold: --fold k --folds 5 holds fold k out and scores it; --fold -1 uses all):
  nice -n 10 /usr/bin/python3 -m training.ocr.train --synth training/out/synth \
      --init training/out/base.pt --real ../shared/data/us-plate-crops --fold 0 --epochs 3 --seed 1 \
      --out training/out/fold0.pt
Export: add --onnx models/plate_ocr.onnx (fixed 1x3x64x128 input, opset 11, Identity nodes stripped).
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import os
import random
import time

import cv2
import numpy as np
import torch
from torch import nn

from tools.synth.intl_plate import FOREIGN_STATE
from tools.synth.us_states import STATE_CODES
from training.ocr.model import ALPHABET, ARCHS, BLANK, ExportWrapper, PlateNet, encode, greedy_decode
from training.ocr.splice import build_splicer

# The network's input size and CTC columns; main() sets them from --arch (or the --init model's arch).
IN_H, IN_W = ARCHS["v2"]
STEPS = IN_W // 4



def load_chunks(folder: str, limit: int = 0) -> tuple[np.ndarray, list[str], list[str]]:
    """The chunk_*.npz files make_dataset wrote (images BGR 64x128, texts, states); folder may be a
    comma-separated list of folders."""
    files = sorted(f for d in folder.split(",") for f in glob.glob(os.path.join(d, "chunk_*.npz"))
                   if not f.endswith(".partial.npz"))
    if limit:
        files = files[:limit]
    if not files:
        raise SystemExit(f"no chunk_*.npz in {folder}: run training.ocr.make_dataset first")
    parts = [np.load(f) for f in files]
    ims = np.concatenate([p["images"] for p in parts])
    if ims.shape[1:3] != (IN_H, IN_W):  # chunks are rendered at 64x128; the net may take less
        ims = np.stack([cv2.resize(im, (IN_W, IN_H), interpolation=cv2.INTER_AREA) for im in ims])
    return (ims, [str(t) for p in parts for t in p["texts"]],
            [str(t) for p in parts for t in p["states"]])


def load_real(folder: str) -> list[tuple[np.ndarray, str, str, str]]:
    rows = []
    with open(os.path.join(folder, "labels.csv")) as f:
        for r in csv.DictReader(f):
            im = cv2.imread(os.path.join(folder, r["file"]), cv2.IMREAD_COLOR)
            if im is None:
                continue
            rows.append((im, r["plate"].upper(), r["state"].lower(), r["file"]))
    return rows


def fold_of(files: list[str], folds: int, seed: int) -> dict[str, int]:
    order = sorted(files)
    random.Random(seed).shuffle(order)
    return {f: i % folds for i, f in enumerate(order)}


def load_scenes(folder: str) -> list[tuple[np.ndarray, np.ndarray, str, str]]:
    """The labelled scenes (labels.tsv: file x y width height plate) as (patch around the plate, the plate's
    box corners in the patch, plate, file). Only a patch of 3x the box each way is kept in memory."""
    rows = []
    with open(os.path.join(folder, "labels.tsv")) as f:
        next(f)
        for line in f:
            name, x, y, w, h, plate = line.rstrip("\n").split("\t")[:6]
            x, y, w, h = int(x), int(y), int(w), int(h)
            im = cv2.imread(os.path.join(folder, name), cv2.IMREAD_COLOR)
            if im is None or not plate or plate == "-":
                continue
            x0, y0 = max(0, x - w), max(0, y - h)
            x1, y1 = min(im.shape[1], x + 2 * w), min(im.shape[0], y + 2 * h)
            q = np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]]) - np.float32([x0, y0])
            rows.append((im[y0:y1, x0:x1].copy(), q, plate.upper(), name))
    return rows


# Detector corner error on the dev scenes (training/ocr/README.md): each side of the predicted quad misses
# the labelled box by sd ~0.10 of its width (left/right) and ~0.14 of its height (top/bottom).
SIDE_SD_X, SIDE_SD_Y, CORNER_SD = 0.10, 0.14, 0.03


def scene_crop(patch: np.ndarray, q: np.ndarray, rng: random.Random, mx: float, my: float) -> np.ndarray:
    """A crop of a labelled scene plate as the detector + rectify_plate would give it: the box's sides moved
    like the detector's corner errors, corners jittered, grown by the rectifier's margins, warped."""
    from training.ocr.scene_crops import rectify

    w, h = q[1, 0] - q[0, 0], q[3, 1] - q[0, 1]
    dl, dr = rng.gauss(0, SIDE_SD_X) * w, rng.gauss(0, SIDE_SD_X) * w
    dt, db = rng.gauss(0, SIDE_SD_Y) * h, rng.gauss(0, SIDE_SD_Y) * h
    j = q + np.float32([[dl, dt], [dr, dt], [dr, db], [dl, db]])
    j += np.float32([[rng.gauss(0, CORNER_SD) * w, rng.gauss(0, CORNER_SD) * h] for _ in range(4)])
    return rectify(patch, j, mx, my)


def prep(im: np.ndarray) -> np.ndarray:
    """BGR image of any size -> the network input (the C++ stage does exactly this)."""
    return cv2.resize(im, (IN_W, IN_H), interpolation=cv2.INTER_AREA)


def augment_real(im: np.ndarray, rng: random.Random, warp: bool = True, strong: bool = False) -> np.ndarray:
    """Photometric and geometric jitter of a real crop. strong (--aug strong): larger corner jitter plus a
    re-cut of the crop's sides (the borders real cameras and detectors give differ), and sometimes motion
    blur, grey scale (IR cameras), gamma and sensor noise."""
    out = im
    if warp:
        h, w = im.shape[:2]
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        j = 0.05
        dst = src + np.float32([[rng.uniform(-j, j) * w, rng.uniform(-j, j) * h] for _ in range(4)])
        if strong and rng.random() < 0.7:  # the same shift for both corners of a side: a wider/narrower cut
            dl, dr = rng.uniform(-0.07, 0.05) * w, rng.uniform(-0.05, 0.07) * w
            dt, db = rng.uniform(-0.1, 0.06) * h, rng.uniform(-0.06, 0.1) * h
            dst += np.float32([[dl, dt], [dr, dt], [dr, db], [dl, db]])
        M = cv2.getPerspectiveTransform(src, dst)
        out = cv2.warpPerspective(im, M, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if strong and rng.random() < 0.2:
        k = rng.choice([3, 5, 7])
        ker = np.zeros((k, k), np.float32)
        ker[k // 2, :] = 1.0 / k
        if rng.random() < 0.3:
            ker = ker.T.copy()
        out = cv2.filter2D(out, -1, ker)
    out = prep(out).astype(np.float32)
    if strong and rng.random() < 0.15:
        out[:] = out.mean(axis=2, keepdims=True)
    if strong and rng.random() < 0.3:
        out = 255.0 * (np.clip(out, 0, 255) / 255.0) ** rng.uniform(0.6, 1.6)
    out = (out - 128) * rng.uniform(0.7, 1.3) + 128 + rng.uniform(-30, 30)
    out *= np.float32([rng.uniform(0.9, 1.1) for _ in range(3)])
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.0))
    if rng.random() < 0.3:
        s = rng.uniform(0.35, 0.8)
        small = cv2.resize(out, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (IN_W, IN_H), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.3:
        _, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(30, 90)])
        out = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    if strong and rng.random() < 0.3:
        out = np.clip(out.astype(np.float32) + np.float32(rng.uniform(2, 10)) *
                      np.random.default_rng(rng.randrange(1 << 30)).standard_normal(out.shape, np.float32), 0, 255)
        out = out.astype(np.uint8)
    return out


def to_tensor(batch: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(batch).permute(0, 3, 1, 2).float().div_(255.0)


def foreign_mask(states) -> torch.Tensor:
    return torch.tensor([str(x) == FOREIGN_STATE for x in states], dtype=torch.bool)


def state_id(code: str) -> int:
    return STATE_CODES.index(code) if code in STATE_CODES else -100


def train_mode(net: PlateNet, state_only: bool) -> None:
    """Training mode; with state_only the frozen trunk keeps its batch-norm statistics (eval mode)."""
    net.train(not state_only)
    if state_only:
        net.state_reduce.train()
        net.state_fc.train()


@torch.no_grad()
def evaluate(net: PlateNet, ims: np.ndarray, texts: list[str], states: list[str]) -> dict[str, float]:
    net.eval()
    ok = st = n_st = 0
    for i in range(0, len(ims), 128):
        t, s = net(to_tensor(ims[i:i + 128]))
        preds = greedy_decode(t)
        sp = s.argmax(1).numpy()
        for k in range(len(preds)):
            ok += preds[k] == texts[i + k]
            if states[i + k] in STATE_CODES:
                n_st += 1
                st += STATE_CODES[sp[k]] == states[i + k]
    return {"top1": ok / max(1, len(ims)), "state": st / max(1, n_st), "n": len(ims)}


def strip_identity(path: str) -> None:
    import onnx

    model = onnx.load(path)
    g = model.graph
    idents = [n for n in g.node if n.op_type == "Identity"]
    outputs = {o.name for o in g.output}
    for node in idents:
        src, dst = node.input[0], node.output[0]
        if dst in outputs:
            continue
        for other in g.node:
            for k, name in enumerate(other.input):
                if name == dst:
                    other.input[k] = src
        g.node.remove(node)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_onnx(net: PlateNet, path: str) -> None:
    net.eval()
    wrapper = ExportWrapper(net)
    x = torch.zeros(1, 3, net.in_h, net.in_w)
    torch.onnx.export(wrapper, x, path, opset_version=11, input_names=["image"], output_names=["text", "state"],
                      do_constant_folding=True)
    strip_identity(path)


def write_metadata(onnx_path: str, extra: dict[str, object], margin_x: float = 0.0, margin_y: float = 0.0) -> None:
    """models/plate_ocr.json: what the C++ stages need to use the network (read with cv::FileStorage)."""
    from tools.synth.us_states import STATES

    meta = {
        "onnx": os.path.basename(onnx_path),
        "input_width": IN_W,
        "input_height": IN_H,
        "decoder": "ctc",
        "steps": STEPS,
        "alphabet": ALPHABET,
        "states": list(STATE_CODES),
        "formats": {c: sorted({"".join(ch for ch in f if ch in "LDX") for f in STATES[c].formats}) for c in STATE_CODES},
        # native/stages/rectify_plate grows detector quads by these (fractions per side) before warping.
        "rectify_margin_x": margin_x,
        "rectify_margin_y": margin_y,
        "training": extra,
    }
    with open(os.path.join(os.path.dirname(onnx_path), "plate_ocr.json"), "w") as f:
        json.dump(meta, f, indent=1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--synth", required=True)
    ap.add_argument("--val", default="training/out/synth_val")
    ap.add_argument("--real", default="")
    ap.add_argument("--fold", type=int, default=-2, help="-2: no real data; -1: all real; k: hold out fold k")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--real-weight", type=float, default=0.3, help="fraction of each batch drawn from real crops")
    ap.add_argument("--scenes", default="", help="labelled scenes (labels.tsv): crops cut like the detector + "
                    "rectifier would, state loss masked (states are not labelled); --fold holds the same fold out")
    ap.add_argument("--scene-weight", type=float, default=0.25, help="fraction of each batch drawn from scenes")
    ap.add_argument("--margin-x", type=float, default=0.0, help="rectify margin (fraction of the quad's width per "
                    "side) the scene crops get; written to plate_ocr.json for native/stages/rectify_plate")
    ap.add_argument("--margin-y", type=float, default=0.0)
    ap.add_argument("--export-margin-y", type=float, default=None, help="rectify_margin_y written to plate_ocr.json "
                    "(default: --margin-y). The training scene crops grow the labelled boxes; the detector's boxes are "
                    "~6 %% taller than those (models/README.md, session 9), so the same margin cuts looser in use")
    ap.add_argument("--aug", choices=["base", "strong"], default="base", help="real/scene crop augmentation "
                    "(strong: side re-cuts, motion blur, grey scale, gamma, noise; see augment_real)")
    ap.add_argument("--splice-weight", type=float, default=0.0, help="fraction of each batch drawn from spliced "
                    "real training crops (training/ocr/splice.py)")
    ap.add_argument("--init", default="")
    ap.add_argument("--foreign-weight", type=float, default=0.5, help="weight of the no-US-state loss on foreign "
                    "synthetic plates (a flat state distribution)")
    ap.add_argument("--state-only", action="store_true", help="train the state head only (state_reduce, state_fc): "
                    "the trunk and the text head keep their weights and batch-norm statistics, so the text reads of "
                    "--init are unchanged")
    ap.add_argument("--arch", choices=sorted(ARCHS), default="", help="network size (training/ocr/model.py ARCHS); "
                    "default: the --init model's (its .json), else v2")
    ap.add_argument("--epochs", type=float, default=6)
    ap.add_argument("--steps", type=int, default=0, help="total steps (overrides --epochs); the synthetic chunk "
                    "folder is re-read at each pass, so training can start while make_dataset still writes chunks")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--onnx", default="")
    a = ap.parse_args()
    # Before the hours of training, not at the save after them (session 11 lost a 49-minute run that way).
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)

    global IN_H, IN_W, STEPS
    arch = a.arch
    if not arch:
        init_meta = a.init + ".json"
        arch = json.load(open(init_meta)).get("arch", "v2") if a.init and os.path.exists(init_meta) else "v2"
    IN_H, IN_W = ARCHS[arch]
    STEPS = IN_W // 4
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    s_ims, s_txt, s_st = load_chunks(a.synth)
    s_y = [encode(t) for t in s_txt]
    s_sy = torch.tensor([state_id(s) for s in s_st])
    s_fg = foreign_mask(s_st)
    val = load_chunks(a.val) if os.path.isdir(a.val) else None

    real_train, real_test = [], []
    if a.real and a.fold >= -1:
        rows = load_real(a.real)
        folds = fold_of([r[3] for r in rows], a.folds, 12345)
        for r in rows:
            (real_test if folds[r[3]] == a.fold else real_train).append(r)
        # Plates labelled "0" are unreadable in the source set: never train on them.
        real_train = [r for r in real_train if r[1] != "0"]
    scene_train: list = []
    if a.scenes and a.fold >= -1:
        sc = load_scenes(a.scenes)
        sfolds = fold_of([r[3] for r in sc], a.folds, 12345)
        scene_train = [r for r in sc if sfolds[r[3]] != a.fold]
    print(f"synthetic {len(s_ims)}, real train {len(real_train)}, real held out {len(real_test)}, "
          f"scenes train {len(scene_train)}", flush=True)

    net = PlateNet(len(STATE_CODES), arch)
    if a.init:
        net.load_state_dict(torch.load(a.init))
    splicer = None
    if a.splice_weight and real_train:
        splicer = build_splicer(net, real_train, prep, to_tensor, IN_W, STEPS)
        print(f"splicing {len(splicer.items)} of {len(real_train)} real training crops", flush=True)
    n_splice = int(a.batch * a.splice_weight) if splicer else 0
    steps = a.steps or int(a.epochs * len(s_ims) / a.batch)
    if a.state_only:
        for name, p in net.named_parameters():
            p.requires_grad = name.startswith(("state_reduce.", "state_fc."))
    train_mode(net, a.state_only)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=steps, pct_start=0.15 if not a.init else 0.05)
    ctc = nn.CTCLoss(blank=BLANK, zero_infinity=True)
    state_loss = nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-100)
    n_real = int(a.batch * a.real_weight) if real_train else 0
    n_scene = int(a.batch * a.scene_weight) if scene_train else 0
    t0 = time.time()
    perm = np.random.default_rng(a.seed).permutation(len(s_ims))
    pos = 0
    for step in range(steps):
        nb = a.batch - n_real - n_scene - n_splice
        if pos + nb > len(perm):
            if a.steps:
                s_ims, s_txt, s_st = load_chunks(a.synth)
                s_y = [encode(t) for t in s_txt]
                s_sy = torch.tensor([state_id(s) for s in s_st])
                s_fg = foreign_mask(s_st)
                print(f"pass over {len(s_ims)} synthetic samples", flush=True)
            perm = np.random.default_rng(a.seed + step).permutation(len(s_ims))
            pos = 0
        idx = np.sort(perm[pos:pos + nb])
        pos += nb
        xb = s_ims[idx]
        yb = [s_y[i] for i in idx]
        syb = s_sy[idx]
        fgb = s_fg[idx]
        if n_real:
            picks = [real_train[rng.randrange(len(real_train))] for _ in range(n_real)]
            rx = np.stack([augment_real(p[0], rng, strong=a.aug == "strong") for p in picks])
            xb = np.concatenate([xb, rx])
            yb = yb + [encode(p[1]) for p in picks]
            syb = torch.cat([syb, torch.tensor([state_id(p[2]) for p in picks])])
        if n_scene:
            picks = [scene_train[rng.randrange(len(scene_train))] for _ in range(n_scene)]
            sx = np.stack([augment_real(scene_crop(p[0], p[1], rng, a.margin_x, a.margin_y), rng, warp=False,
                                        strong=a.aug == "strong")
                           for p in picks])
            xb = np.concatenate([xb, sx])
            yb = yb + [encode(p[2]) for p in picks]
            syb = torch.cat([syb, torch.full((n_scene,), -100, dtype=torch.long)])  # no state label: masked
        if n_splice:
            picks = [splicer.sample(rng) for _ in range(n_splice)]
            xb = np.concatenate([xb, np.stack([augment_real(p[0], rng, strong=a.aug == "strong") for p in picks])])
            yb = yb + [encode(p[1]) for p in picks]
            syb = torch.cat([syb, torch.tensor([state_id(p[2]) if p[2] else -100 for p in picks])])
        t, s = net(to_tensor(xb))
        logp = t[:, :, 0, :].permute(2, 0, 1).log_softmax(2)  # [STEPS, N, classes]
        targets = torch.tensor([c for y in yb for c in y], dtype=torch.long)
        lengths = torch.tensor([len(y) for y in yb], dtype=torch.long)
        loss = ctc(logp, targets, torch.full((len(yb),), STEPS, dtype=torch.long), lengths) + 0.5 * state_loss(s, syb)
        if fgb.any():  # a foreign plate: the state head is taught a flat distribution (no US state)
            loss = loss - a.foreign_weight * s[: len(fgb)][fgb].log_softmax(1).mean() * fgb.float().mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        sched.step()
        if step % 200 == 0 or step == steps - 1:
            msg = f"step {step}/{steps} loss {loss.item():.3f} {time.time() - t0:.0f}s"
            if val is not None and (step % 1000 == 0 or step == steps - 1):
                r = evaluate(net, val[0][:1000], val[1][:1000], val[2][:1000])
                msg += f" synth-val top1 {r['top1']:.3f} state {r['state']:.3f}"
                train_mode(net, a.state_only)  # evaluate() leaves the net in eval mode
            print(msg, flush=True)
    torch.save(net.state_dict(), a.out)
    result: dict[str, object] = {"arch": arch, "seed": a.seed, "epochs": a.epochs, "steps": steps, "fold": a.fold, "init": a.init,
                                 "lr": a.lr, "aug": a.aug, "real_weight": a.real_weight, "scene_weight": a.scene_weight if scene_train else 0,
                                 "splice_weight": a.splice_weight if splicer else 0, "foreign_weight": a.foreign_weight,
                                 "state_only": a.state_only, "synth": a.synth}
    if real_test:
        r = evaluate(net, np.stack([prep(x[0]) for x in real_test]), [x[1] for x in real_test], [x[2] for x in real_test])
        result["heldout"] = r
        result["heldout_files"] = [x[3] for x in real_test]
        print(f"held-out fold {a.fold}: top1 {r['top1']:.3f} state {r['state']:.3f} n {r['n']}", flush=True)
    if a.onnx:
        os.makedirs(os.path.dirname(os.path.abspath(a.onnx)), exist_ok=True)
        export_onnx(net, a.onnx)
        write_metadata(a.onnx, {k: v for k, v in result.items() if k != "heldout_files"}, a.margin_x,
                       a.margin_y if a.export_margin_y is None else a.export_margin_y)
        print(f"exported {a.onnx} ({os.path.getsize(a.onnx) / 1e6:.2f} MB)")
    with open(a.out + ".json", "w") as f:
        json.dump(result, f, indent=1)
    _ = math


if __name__ == "__main__":
    main()
