"""Generates the synthetic OCR + state training set (tools.synth.us_plate) into one .npz.

  nice -n 10 /usr/bin/python3 -m training.ocr.make_dataset --n 30000 --seed 1 --out training/out/synth

Deterministic for a given --seed and --workers (each worker gets seed*1000+k). Backgrounds come from
../shared/data/no-plates when present (the data README allows them as backgrounds), otherwise flat noise.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random

import numpy as np

from tools.synth import intl_plate, us_plate
from tools.synth.us_states import STATE_CODES

NEG_FRACTION = 0.04
INTL_TEXT_CROP = 0.3  # foreign crops cut around the serial like the detector + rectifier cut them


def _work(args: tuple) -> str:
    seed, n, bg, out = args[:4]
    text_crop, margins = (args[4], args[5]) if len(args) > 4 else (0.0, (0.1, 0.12))
    intl = args[6] if len(args) > 6 else 0.0
    plate_look = args[7] if len(args) > 7 else False
    clutter = args[8] if len(args) > 8 else False
    serif_i, gap_emblem = (args[9], args[10]) if len(args) > 10 else (False, False)
    if os.path.exists(out):
        return out
    rng = random.Random(seed)
    if bg and os.path.isdir(bg):
        us_plate.load_backgrounds(bg, 150, rng)
    ims = np.zeros((n, 64, 128, 3), np.uint8)
    texts, states = [], []
    for i in range(n):
        if rng.random() < NEG_FRACTION:
            ims[i] = us_plate.negative_crop(rng)
            texts.append("")
            states.append("")
        elif intl and rng.random() < intl:  # a foreign plate: its text, and no US state
            im, t, _ = intl_plate.sample(rng, text_crop=INTL_TEXT_CROP, margins=margins)
            ims[i] = im
            texts.append(t)
            states.append(intl_plate.FOREIGN_STATE)
        else:
            im, t, s = us_plate.sample(rng, text_crop=text_crop, margins=margins, plate_look=plate_look,
                                      clutter=clutter, serif_i=serif_i, gap_emblem=gap_emblem)
            ims[i] = im
            texts.append(t)
            states.append(s)
    # Stored BGR, as OpenCV gives it at inference; one file per chunk so a partial run is usable.
    np.savez(out[:-4] + ".partial.npz", images=ims[:, :, :, ::-1].copy(), texts=np.array(texts), states=np.array(states))
    os.replace(out[:-4] + ".partial.npz", out)  # glob chunk_*.npz must not match a half-written file
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backgrounds", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/no-plates"))
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--out", required=True, help="folder for chunk_<seed>_<k>.npz files")
    ap.add_argument("--text-crop", type=float, default=0.0, help="fraction of crops cut around the serial like "
                    "the detector + rectifier (tools.synth.us_plate.sample text_crop)")
    ap.add_argument("--margin-x", type=float, default=0.1)
    ap.add_argument("--margin-y", type=float, default=0.12)
    ap.add_argument("--intl", type=float, default=0.0, help="fraction of foreign plates (tools.synth.intl_plate: "
                    "European, Brazilian), state label '--'")
    ap.add_argument("--plate-look", action="store_true", help="US serials in plate-like faces, taller and narrower "
                    "(tools.synth.us_plate.render_us_plate plate_look; needs fonts-bebas-neue, fonts-roboto-unhinted)")
    ap.add_argument("--clutter", action="store_true", help="stacked small characters, emblems and panels beside "
                    "the serial, and wider gaps (tools.synth.us_plate.render_us_plate clutter)")
    ap.add_argument("--serif-i", action="store_true", help="the letter I with bars at its top and foot on about "
                    "half the plates (tools.synth.us_plate.render_us_plate serif_i)")
    ap.add_argument("--gap-emblem", action="store_true", help="a character-high emblem splitting the serial on "
                    "about a third of the plates (tools.synth.us_plate.render_us_plate gap_emblem)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    jobs = [(a.seed * 1000 + k, a.chunk, a.backgrounds, os.path.join(a.out, f"chunk_{a.seed}_{k:03d}.npz"),
             a.text_crop, (a.margin_x, a.margin_y), a.intl, a.plate_look, a.clutter, a.serif_i, a.gap_emblem) for k in range(a.n // a.chunk)]
    with mp.Pool(a.workers) as pool:
        for path in pool.imap(_work, jobs):
            print("wrote", path, flush=True)
    _ = STATE_CODES


if __name__ == "__main__":
    main()
