"""Renders the project's own sample footage: synthetic licence plates on simple vehicles driving
toward a fixed roadway camera, encoded as H.264 MP4 (GStreamer x264enc) with a manifest saying which
plate appears in which file at which times.

Deterministic: the same --seed gives the same frames and the same manifest (x264 runs single-threaded,
so the encoded video matches too; only the MP4 header's creation time differs). Only Debian-packaged dependencies (python3-opencv built with GStreamer,
python3-numpy, python3-pil via tools.synth.plate, gstreamer1.0-plugins-ugly for x264enc).

    /usr/bin/python3 -m tools.footage.make_footage --out samples            # the committed samples
    /usr/bin/python3 -m tools.footage.make_footage --out /tmp/f --only city-720p
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tools.synth.plate import STATE_NAMES, random_style, render_plate  # noqa: E402

MANIFEST_VERSION = 1
READABLE_MIN_PLATE_HEIGHT = 20  # px: the manifest's "readable" interval starts where plates get this tall


@dataclass
class Clip:
    name: str
    width: int
    height: int
    fps: int
    seconds: float
    bitrate_kbps: int  # x264 average bitrate; real 1080p roadway cameras send 2-6 Mbit/s
    vehicles_per_minute: int


CLIPS = [
    # Light: tests and the built-in default camera.
    Clip("city-720p", 1280, 720, 30, 16.0, 1200, 30),
    # The benchmark input: 1080p30 like a real roadway camera.
    Clip("highway-1080p", 1920, 1080, 30, 12.0, 2500, 36),
]

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"


def plate_text(rng: random.Random) -> str:
    fmt = rng.choice(["DLLLDDD", "LLLDDDD", "LLDDDDD", "DLLDDD", "LLLDDD"])
    return "".join(rng.choice(LETTERS if c == "L" else DIGITS) for c in fmt)


def background(rng: random.Random, w: int, h: int) -> tuple[np.ndarray, float]:
    """A static roadway scene; returns it and the horizon's y."""
    hy = h * 0.30
    img = np.zeros((h, w, 3), np.uint8)
    sky = np.linspace(200, 150, int(hy))[:, None]
    img[: int(hy)] = np.dstack([sky + 30, sky + 10, sky - 10]).clip(0, 255).astype(np.uint8)
    img[int(hy):] = (70, 110, 80)  # verges
    # Buildings on the horizon.
    x = 0
    while x < w:
        bw = rng.randint(w // 20, w // 8)
        bh = rng.randint(int(hy * 0.2), int(hy * 0.8))
        c = rng.randint(90, 160)
        cv2.rectangle(img, (x, int(hy) - bh), (x + bw, int(hy)), (c, c, c + 10), -1)
        for wy in range(int(hy) - bh + 6, int(hy) - 6, 14):
            for wx in range(x + 5, x + bw - 8, 12):
                if rng.random() < 0.6:
                    cv2.rectangle(img, (wx, wy), (wx + 5, wy + 7), (60, 70, 80), -1)
        x += bw + rng.randint(0, w // 40)
    # Road: a trapezoid to the vanishing point, lane markings.
    vx = w / 2
    road = np.array([[vx - w * 0.02, hy], [vx + w * 0.02, hy], [w * 1.05, h], [-w * 0.05, h]], np.int32)
    cv2.fillPoly(img, [road], (85, 85, 88))
    for frac in (0.0,):
        for i in range(30):
            y0 = hy + (h - hy) * (i / 30) ** 2
            y1 = hy + (h - hy) * ((i + 0.5) / 30) ** 2
            cv2.line(img, (int(vx + frac), int(y0)), (int(vx + frac), int(y1)), (230, 230, 230),
                     max(1, int(6 * (y1 - hy) / (h - hy))))
    # A sign with text: a distractor that is not a plate.
    sx, sy, sw = int(w * 0.86), int(h * 0.38), int(w * 0.09)
    cv2.rectangle(img, (sx + sw // 2 - 3, sy), (sx + sw // 2 + 3, int(h * 0.62)), (60, 60, 60), -1)
    cv2.rectangle(img, (sx, sy), (sx + sw, sy + int(sw * 1.2)), (250, 250, 250), -1)
    cv2.rectangle(img, (sx, sy), (sx + sw, sy + int(sw * 1.2)), (10, 10, 10), 2)
    fs = sw / 180
    cv2.putText(img, "SPEED", (sx + int(sw * 0.12), sy + int(sw * 0.3)), cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), 2)
    cv2.putText(img, "LIMIT", (sx + int(sw * 0.14), sy + int(sw * 0.55)), cv2.FONT_HERSHEY_SIMPLEX, fs, (0, 0, 0), 2)
    cv2.putText(img, "35", (sx + int(sw * 0.2), sy + int(sw * 1.05)), cv2.FONT_HERSHEY_SIMPLEX, fs * 2.4, (0, 0, 0), 4)
    return img, hy


@dataclass
class Vehicle:
    plate: str
    state: str
    lane: float  # x of the lane centre at the bottom of the frame, as a fraction of the width
    start: float  # s
    duration: float  # s to drive from the horizon out of the bottom of the frame
    color: tuple[int, int, int]
    plate_img: np.ndarray
    readable: list[float] | None = None
    box_first: list[int] | None = None
    box_last: list[int] | None = None
    max_plate_height: int = 0


def vehicle_geometry(v: Vehicle, t: float, w: int, h: int, hy: float):
    """Where the vehicle is at time t: (cx, bottom y, body width) or None when off screen."""
    u = (t - v.start) / v.duration
    if u < 0 or u > 1:
        return None
    u = 0.12 + 0.88 * u
    y = hy + (h * 1.25 - hy) * u * u  # accelerating toward the camera like perspective does
    depth = (y - hy) / (h - hy)
    cx = w / 2 + (v.lane * w - w / 2) * depth
    bw = w * 0.30 * depth
    return cx, y, bw


def draw_vehicle(img: np.ndarray, v: Vehicle, cx: float, y: float, bw: float) -> list[int] | None:
    bh = bw * 0.78
    x0, x1, y0, y1 = int(cx - bw / 2), int(cx + bw / 2), int(y - bh), int(y)
    dark = tuple(int(c * 0.55) for c in v.color)
    # Wheels, body, roof and rear window, lights, bumper.
    ww = max(2, int(bw * 0.12))
    cv2.rectangle(img, (x0 + int(bw * 0.06), y1 - int(bh * 0.08)), (x0 + int(bw * 0.06) + ww, y1 + int(bh * 0.04)), (20, 20, 20), -1)
    cv2.rectangle(img, (x1 - int(bw * 0.06) - ww, y1 - int(bh * 0.08)), (x1 - int(bw * 0.06), y1 + int(bh * 0.04)), (20, 20, 20), -1)
    cv2.rectangle(img, (x0, y0 + int(bh * 0.35)), (x1, y1 - int(bh * 0.04)), v.color, -1)
    cv2.rectangle(img, (x0 + int(bw * 0.1), y0), (x1 - int(bw * 0.1), y0 + int(bh * 0.38)), v.color, -1)
    cv2.rectangle(img, (x0 + int(bw * 0.16), y0 + int(bh * 0.05)), (x1 - int(bw * 0.16), y0 + int(bh * 0.33)), (60, 50, 45), -1)
    lw, lh = int(bw * 0.14), max(1, int(bh * 0.08))
    ly = y0 + int(bh * 0.45)
    cv2.rectangle(img, (x0 + int(bw * 0.05), ly), (x0 + int(bw * 0.05) + lw, ly + lh), (30, 30, 200), -1)
    cv2.rectangle(img, (x1 - int(bw * 0.05) - lw, ly), (x1 - int(bw * 0.05), ly + lh), (30, 30, 200), -1)
    cv2.rectangle(img, (x0, y1 - int(bh * 0.16)), (x1, y1 - int(bh * 0.04)), dark, -1)
    # The plate: 12 x 6 in, a quarter of the body width, above the bumper.
    pw = int(bw * 0.26)
    ph = pw // 2
    if pw < 8:
        return None
    px0, py1 = int(cx - pw / 2), y1 - int(bh * 0.17)
    py0 = py1 - ph
    plate = cv2.resize(v.plate_img, (pw, ph), interpolation=cv2.INTER_AREA)
    H, W = img.shape[:2]
    sx0, sy0, sx1, sy1 = max(0, px0), max(0, py0), min(W, px0 + pw), min(H, py1)
    if sx1 > sx0 and sy1 > sy0:
        img[sy0:sy1, sx0:sx1] = plate[sy0 - py0 : sy1 - py0, sx0 - px0 : sx1 - px0]
    if px0 >= 0 and py0 >= 0 and px0 + pw <= W and py1 <= H:
        return [px0, py0, pw, ph]
    return None


def render_clip(clip: Clip, seed: int, out_dir: str) -> dict:
    rng = random.Random(f"{seed}:{clip.name}")
    w, h, fps = clip.width, clip.height, clip.fps
    bg, hy = background(rng, w, h)
    n_frames = int(clip.seconds * fps)
    gap = 60.0 / clip.vehicles_per_minute
    vehicles: list[Vehicle] = []
    t = 0.1
    states = sorted(STATE_NAMES)
    lanes = [0.30, 0.70]
    while t < clip.seconds - 1.5:
        text, state = plate_text(rng), rng.choice(states)
        color = tuple(rng.randint(40, 220) for _ in range(3))
        img = render_plate(text, state, style=random_style(rng))
        vehicles.append(Vehicle(text, state.upper(), lanes[len(vehicles) % 2], t, rng.uniform(3.2, 4.2), color, img))
        t += gap * rng.uniform(0.8, 1.2)
    path = os.path.join(out_dir, f"{clip.name}.mp4")
    # threads=1 keeps x264 deterministic; key-int-max=fps: a keyframe every second, as cameras do;
    # bframes=0: roadway cameras send I/P streams (low latency).
    pipeline = (
        f"appsrc ! videoconvert ! video/x-raw,format=I420 ! x264enc bitrate={clip.bitrate_kbps} "
        f"speed-preset=medium key-int-max={fps} bframes=0 threads=1 ! h264parse ! mp4mux ! filesink location={path}"
    )
    writer = cv2.VideoWriter(pipeline, cv2.CAP_GSTREAMER, 0, float(fps), (w, h), True)
    if not writer.isOpened():
        raise SystemExit(f"cannot open the GStreamer encoder pipeline: {pipeline}")
    for f in range(n_frames):
        t = f / fps
        frame = bg.copy()
        visible = []
        for v in vehicles:
            g = vehicle_geometry(v, t, w, h, hy)
            if g:
                visible.append((g[1], v, g))
        for _, v, (cx, y, bw) in sorted(visible, key=lambda e: e[0]):  # far vehicles first
            box = draw_vehicle(frame, v, cx, y, bw)
            if box and box[3] >= READABLE_MIN_PLATE_HEIGHT:
                if v.readable is None:
                    v.readable, v.box_first = [round(t, 3), round(t, 3)], box
                v.readable[1], v.box_last = round(t, 3), box
                v.max_plate_height = max(v.max_plate_height, box[3])
        writer.write(frame)
    writer.release()
    return {
        "file": os.path.basename(path),
        "width": w,
        "height": h,
        "fps": fps,
        "frames": n_frames,
        "seconds": clip.seconds,
        "codec": "h264",
        "container": "mp4",
        "bitrateKbps": clip.bitrate_kbps,
        "vehicles": [
            {
                "plate": v.plate,
                "state": v.state,
                "enterS": round(v.start, 3),
                "exitS": round(min(clip.seconds, v.start + v.duration), 3),
                "readableS": v.readable,
                "plateBoxFirst": v.box_first,
                "plateBoxLast": v.box_last,
                "maxPlateHeight": v.max_plate_height,
            }
            for v in vehicles
            if v.readable
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="samples", help="output folder (default: samples)")
    ap.add_argument("--seed", type=int, default=4111)
    ap.add_argument("--only", action="append", help="render only this clip (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    clips = [c for c in CLIPS if not args.only or c.name in args.only]
    manifest = {"version": MANIFEST_VERSION, "seed": args.seed,
                "readableMinPlateHeight": READABLE_MIN_PLATE_HEIGHT,
                "files": [render_clip(c, args.seed, args.out) for c in clips]}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for entry in manifest["files"]:
        size = os.path.getsize(os.path.join(args.out, entry["file"]))
        print(f"{entry['file']}: {entry['width']}x{entry['height']}@{entry['fps']} {entry['seconds']}s, "
              f"{len(entry['vehicles'])} plates, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
