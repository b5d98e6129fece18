"""Cuts plate crops out of the labelled scenes the way the native pipeline does (detector corners ->
rectify_plate's perspective warp, with its margin), so the reader can be measured and trained on what it
sees in deployment.

  node training/ocr/dump_scenes.mjs ../shared/data/us-plates > training/out/ocr2/dump.json
  /usr/bin/python3 -m training.ocr.scene_crops --dump training/out/ocr2/dump.json --source region \
      --margin-x 0.08 --margin-y 0.35 --out training/out/ocr2/scene_region

--source region: the detector's region that best overlaps the labelled box (IoU > 0.4; scenes without one
are skipped); --source label: the labelled box itself (its 4 corners), i.e. a perfect detector.
Writes <out>/<scene>.png + labels.csv (file,state,plate; the state is not labelled for scenes: empty).
The crops stay under training/out (never committed: ../shared/data must not be copied into the repo).
"""
from __future__ import annotations

import argparse
import json
import os

import cv2
import numpy as np

SCENES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "us-plates")


def iou(a: dict, b: dict) -> float:
    x1, y1 = max(a["x"], b["x"]), max(a["y"], b["y"])
    x2 = min(a["x"] + a["width"], b["x"] + b["width"])
    y2 = min(a["y"] + a["height"], b["y"] + b["height"])
    i = max(0, x2 - x1) * max(0, y2 - y1)
    u = a["width"] * a["height"] + b["width"] * b["height"] - i
    return i / u if u else 0.0


def expand_quad(q: np.ndarray, mx: float, my: float) -> np.ndarray:
    """Grows a TL,TR,BR,BL quad by mx of its width on the left and right, my of its height above and below
    (along the quad's own axes), as native/stages/rectify_plate.cpp does."""
    u = ((q[1] - q[0]) + (q[2] - q[3])) / 2
    v = ((q[3] - q[0]) + (q[2] - q[1])) / 2
    return np.float32([q[0] - mx * u - my * v, q[1] + mx * u - my * v, q[2] + mx * u + my * v,
                       q[3] - mx * u + my * v])


def rectify(im: np.ndarray, q: np.ndarray, mx: float, my: float) -> np.ndarray:
    """The native rectification: warp the (expanded) quad to its own size, width capped at 256."""
    q = expand_quad(np.float32(q), mx, my)
    d = lambda a, b: float(np.hypot(*(a - b)))  # noqa: E731
    w = max(d(q[0], q[1]), d(q[3], q[2]))
    h = max(d(q[0], q[3]), d(q[1], q[2]))
    s = min(1.0, 256.0 / max(1.0, w))
    ow, oh = max(2, int(round(w * s))), max(2, int(round(h * s)))
    m = cv2.getPerspectiveTransform(q, np.float32([[0, 0], [ow, 0], [ow, oh], [0, oh]]))
    return cv2.warpPerspective(im, m, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def box_quad(b: dict) -> np.ndarray:
    x, y, w, h = b["x"], b["y"], b["width"], b["height"]
    return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def scene_crops(dump: list[dict], source: str, mx: float, my: float, scenes: str = SCENES,
                jitter: float = 0.0, rng: np.random.Generator | None = None) -> list[tuple[np.ndarray, str, str]]:
    """(crop BGR, plate, scene file) for each scene with a usable quad."""
    out = []
    for r in dump:
        if source == "region":
            regs = [g for g in r["regions"] if iou(g["box"], r["box"]) > 0.4]
            if not regs:
                continue
            g = max(regs, key=lambda g: iou(g["box"], r["box"]))
            q = np.float32([[c["x"], c["y"]] for c in g["corners"]])
        else:
            q = box_quad(r["box"])
        if jitter and rng is not None:
            wh = np.float32([r["box"]["width"], r["box"]["height"]])
            q = q + rng.uniform(-jitter, jitter, size=(4, 2)).astype(np.float32) * wh
        im = cv2.imread(os.path.join(scenes, r["file"]), cv2.IMREAD_COLOR)
        out.append((rectify(im, q, mx, my), r["plate"], r["file"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--source", choices=["region", "label"], default="region")
    ap.add_argument("--margin-x", type=float, default=0.0)
    ap.add_argument("--margin-y", type=float, default=0.0)
    ap.add_argument("--scenes", default=SCENES)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    crops = scene_crops(json.load(open(a.dump)), a.source, a.margin_x, a.margin_y, a.scenes)
    with open(os.path.join(a.out, "labels.csv"), "w") as f:
        f.write("file,state,plate\n")
        for im, plate, name in crops:
            png = os.path.splitext(name)[0] + ".png"
            cv2.imwrite(os.path.join(a.out, png), im)
            f.write(f"{png},,{plate}\n")
    print(f"{len(crops)} crops in {a.out}")


if __name__ == "__main__":
    main()
