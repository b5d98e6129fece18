"""Writes evaluation sets of FOREIGN plates (European, Brazilian; tools.synth.intl_plate) in the formats
`platewatch eval` reads, to measure how the recognizer does on plates from another country.

  /usr/bin/python3 -m training.ocr.make_intl_eval --out training/out/intl_eval --seed 77

- `<out>/scenes/`: 1280x720 colour scenes (tools.synth.scene with every plate foreign), one plate each,
  25-100 px tall, on the ODD-indexed half of ../shared/data/no-plates (the detector never trains on that
  half), or procedural backgrounds; labels.tsv (file, x, y, width, height, plate: the plate's box).
- `<out>/pasted/`: the dev scenes of ../shared/data/us-plates with the US plate covered by a foreign plate
  in perspective (real cars and light; the same scenes the models were tuned on, so only the plate is
  new); labels.tsv likewise.
- `<out>/crops/`: tight reader crops (tools.synth.intl_plate.sample); labels.csv with an empty state.

Seeds differ from every training set (make_dataset seeds 1-21, detector shards 1000+i), so these
plates were never trained on. Synthetic: a stand-in for real foreign photographs, which we do not have.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import random

import cv2
import numpy as np

from tools.synth import intl_plate, scene

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "data")


def odd_half(folder: str) -> list[np.ndarray]:
    files = sorted(f for f in glob.glob(os.path.join(folder, "*")) if not f.endswith(".tsv"))
    out = []
    for f in files[1::2]:
        im = cv2.imread(f, cv2.IMREAD_COLOR)
        if im is not None:
            out.append(im)
    return out


def write_scenes(out: str, n: int, rng: random.Random) -> None:
    os.makedirs(out, exist_ok=True)
    bgs = odd_half(os.path.join(DATA, "no-plates")) if os.path.isdir(os.path.join(DATA, "no-plates")) else []
    spec = scene.SceneSpec(1280, 720, 25.0, 100.0, 1, 0.6, 0.0, True, True, bgs, inside=True, intl=1.0)
    with open(os.path.join(out, "labels.tsv"), "w") as f:
        f.write("file\tx\ty\twidth\theight\tplate\n")
        for i in range(n):
            img, quads = scene.render_scene(rng, spec)
            if not quads:
                continue
            q = quads[0]
            x0, y0 = np.maximum(q.min(0), 0)
            x1, y1 = np.minimum(q.max(0), [img.shape[1] - 1, img.shape[0] - 1])
            name = f"intl_{i:03d}.jpg"
            cv2.imwrite(os.path.join(out, name), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
            f.write(f"{name}\t{int(x0)}\t{int(y0)}\t{int(round(x1 - x0))}\t{int(round(y1 - y0))}\t{scene.last_texts[0]}\n")


def write_pasted(out: str, rng: random.Random) -> None:
    src = os.path.join(DATA, "us-plates")
    if not os.path.isdir(src):
        return
    os.makedirs(out, exist_ok=True)
    rows = [line.split("\t") for line in open(os.path.join(src, "labels.tsv")).read().splitlines()[1:] if line.strip()]
    with open(os.path.join(out, "labels.tsv"), "w") as f:
        f.write("file\tx\ty\twidth\theight\tplate\n")
        for r in rows:
            name, (x, y, w, h) = r[0], map(int, r[1:5])
            img = cv2.imread(os.path.join(src, name), cv2.IMREAD_COLOR)
            rgb, label, _ = intl_plate.render_intl_plate(rng)
            plate = np.ascontiguousarray(rgb[:, :, ::-1])
            ph = h * rng.uniform(1.25, 1.45)  # the US box is tight around the characters; cover the whole plate
            pw = ph * plate.shape[1] / plate.shape[0]
            cx, cy = x + w / 2, y + h / 2
            dst = np.float32([[cx - pw / 2, cy - ph / 2], [cx + pw / 2, cy - ph / 2], [cx + pw / 2, cy + ph / 2],
                              [cx - pw / 2, cy + ph / 2]])
            dst += np.float32([[rng.gauss(0, ph * 0.04), rng.gauss(0, ph * 0.04)] for _ in range(4)])
            sh, sw = plate.shape[:2]
            M = cv2.getPerspectiveTransform(np.float32([[0, 0], [sw, 0], [sw, sh], [0, sh]]), dst)
            warped = cv2.warpPerspective(plate, M, (img.shape[1], img.shape[0]), flags=cv2.INTER_AREA)
            mask = cv2.warpPerspective(np.full((sh, sw), 255, np.uint8), M, (img.shape[1], img.shape[0]))
            # Match the photo: the scene's blur and brightness around the plate.
            warped = cv2.GaussianBlur(warped, (0, 0), max(0.4, ph / 60))
            around = img[max(0, y - h): y + 2 * h, max(0, x - w): x + 2 * w]
            gain = float(np.clip(around.mean() / 140.0, 0.45, 1.1)) if around.size else 1.0
            warped = np.clip(warped.astype(np.float32) * gain, 0, 255).astype(np.uint8)
            img[mask > 128] = warped[mask > 128]
            x0, y0 = dst.min(0)
            x1, y1 = dst.max(0)
            x0, y0 = max(0, int(x0)), max(0, int(y0))
            x1, y1 = min(img.shape[1] - 1, int(x1)), min(img.shape[0] - 1, int(y1))
            out_name = os.path.splitext(name)[0] + ".jpg"
            cv2.imwrite(os.path.join(out, out_name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
            f.write(f"{out_name}\t{x0}\t{y0}\t{x1 - x0}\t{y1 - y0}\t{label}\n")


def write_crops(out: str, n: int, rng: random.Random) -> None:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "state", "plate"])
        for i in range(n):
            plate, label, _ = intl_plate.render_intl_plate(rng)
            # a tight crop with the usual degradations, at a size a camera gives (not the reader's 128x64)
            crop = intl_plate.us_plate.augment_crop(plate, rng, out_w=int(80 * plate.shape[1] / plate.shape[0]),
                                                    out_h=80)
            name = f"intl_{i:03d}.png"
            cv2.imwrite(os.path.join(out, name), crop[:, :, ::-1])
            w.writerow([name, "", label])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "training", "out", "intl_eval"))
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--scenes", type=int, default=200)
    ap.add_argument("--crops", type=int, default=300)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    write_scenes(os.path.join(a.out, "scenes"), a.scenes, rng)
    write_pasted(os.path.join(a.out, "pasted"), random.Random(a.seed + 1))
    write_crops(os.path.join(a.out, "crops"), a.crops, random.Random(a.seed + 2))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
