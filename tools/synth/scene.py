"""Renders synthetic roadway scenes with licence plates at known corners.

Plates from plate.render_plate() are varied (dark/coloured plates, frames, dirt, shadow), warped in
perspective onto procedurally drawn car fronts/backs over a background (a caller-supplied photo or
procedural clutter), next to text distractors (signs, truck lettering, timestamps, bumper stickers),
then the whole frame gets lighting, night/IR, blur, noise and JPEG artefacts.

Used by the detector's training (training/detector/) and by the tests (test/detector.test.ts), which
call the CLI below. Only Debian-packaged dependencies (numpy, opencv, PIL, fonts-dejavu-core).
"""
from __future__ import annotations

import math
import os
import random
import sys
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tools.synth.plate import STATE_NAMES, PlateStyle, random_style, render_plate  # noqa: E402

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
DIGITS = "0123456789"
FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
             "/usr/share/fonts/truetype/freefont"]
WORDS = ["STOP", "ONE WAY", "PARKING", "EXIT", "SPEED LIMIT 35", "NO PARKING", "PIZZA", "OPEN", "SALE",
         "FedEx", "UPS", "Moving & Storage", "PLUMBING", "CALL 555-0199", "DOT 1234567", "USDOT 882311",
         "HONK IF", "MY KID IS AN HONOR STUDENT", "COEXIST", "BANK", "HOTEL", "Main St", "5th Ave",
         "TOYOTA", "HONDA", "FORD", "CHEVROLET", "Camry", "ACCORD", "4x4", "HYBRID", "V6", "ELM ST 200",
         "CAM 03", "REC", "LANE 2", "GAS 3.49", "ALL WAY", "YIELD", "BUS ONLY", "TAXI", "POLICE"]


def _fonts() -> list[str]:
    out = []
    for d in FONT_DIRS:
        if os.path.isdir(d):
            out += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".ttf")]
    return out


_FONT_FILES = _fonts()
_FONT_CACHE: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(rng: random.Random, size: int) -> ImageFont.FreeTypeFont:
    path = rng.choice(_FONT_FILES)
    size = max(6, min(200, int(size)))
    key = (path, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(path, size)
    return _FONT_CACHE[key]


def random_plate_text(rng: random.Random) -> str:
    fmt = rng.choice(["LLLDDDD", "DLLLDDD", "LLDDDDD", "DDDLLL", "LLLDDD", "DLLDDD", "LDDDDD", "DDDDDD",
                      "LLDLDD", "DDLLLD", "LLLLDD", "LLLLLLL", "LLDDD", "DDDDLL"])
    return "".join(rng.choice(LETTERS if c == "L" else DIGITS) for c in fmt)


def _rand_color(rng: random.Random, lo: int = 0, hi: int = 255) -> tuple[int, int, int]:
    return tuple(rng.randint(lo, hi) for _ in range(3))


def _dirty(rng: random.Random, plate: np.ndarray) -> np.ndarray:
    """The plate (float32) with dirt blotches 30 % of the time, as uint8."""
    h, w = plate.shape[:2]
    if rng.random() < 0.3:
        dirt = np.zeros((h, w), np.float32)
        for _ in range(rng.randint(3, 20)):
            cv2.circle(dirt, (rng.randint(0, w), rng.randint(0, h)), rng.randint(2, h // 4), rng.uniform(0.2, 1), -1)
        dirt = cv2.GaussianBlur(dirt, (0, 0), h / 20)[..., None] * rng.uniform(0.2, 0.6)
        plate = plate * (1 - dirt) + dirt * np.array(_rand_color(rng, 40, 110), np.float32)
    return np.clip(plate, 0, 255).astype(np.uint8)


def varied_plate(rng: random.Random, height: int = 120) -> np.ndarray:
    """A frontal plate (BGR) with the variety real plates show: dark or coloured plates, dealer
    frames, graphics, dirt. The returned image is the plate itself (its corners are the label)."""
    width = int(height * rng.uniform(1.9, 2.1))
    style = random_style(rng)
    r = rng.random()
    if r < 0.12:  # dark plate, light characters
        style = PlateStyle(_rand_color(rng, 10, 70), _rand_color(rng, 200, 255), _rand_color(rng, 180, 255),
                           style.font, style.border)
    elif r < 0.30:  # coloured background (yellow, blue-ish, tinted)
        bg = rng.choice([(240, 200, 40), (200, 220, 245), (250, 230, 150), (220, 240, 220), (245, 210, 200)])
        style = PlateStyle(bg, style.ink, style.header_ink, style.font, style.border)
    state = rng.choice(list(STATE_NAMES))
    plate = render_plate(random_plate_text(rng), state, style, width, height).astype(np.float32)
    h, w = plate.shape[:2]
    if rng.random() < 0.35:  # graphics: a soft coloured band behind the characters
        y0 = rng.randint(0, h // 2)
        band = np.zeros_like(plate)
        band[y0:y0 + rng.randint(h // 6, h // 2)] = _rand_color(rng, 60, 255)
        band = cv2.GaussianBlur(band, (0, 0), h / 15)
        plate = plate * (1 - 0.35 * (band.mean(2, keepdims=True) > 0)) + 0.35 * band
    if rng.random() < 0.45:  # dealer frame: dark bands over top and/or bottom with small lettering
        col = _rand_color(rng, 0, 90) if rng.random() < 0.8 else _rand_color(rng, 150, 230)
        tb = rng.randint(int(h * 0.06), int(h * 0.16))
        bb = rng.randint(int(h * 0.06), int(h * 0.2))
        plate[:tb] = col
        plate[h - bb:] = col
        side = rng.randint(1, max(2, int(h * 0.05)))
        plate[:, :side] = col
        plate[:, w - side:] = col
        if rng.random() < 0.6:
            img = Image.fromarray(np.clip(plate, 0, 255).astype(np.uint8))
            d = ImageDraw.Draw(img)
            d.text((w * rng.uniform(0.1, 0.4), h - bb), rng.choice(WORDS), font=_font(rng, bb * 0.8),
                   fill=_rand_color(rng, 160, 255))
            plate = np.asarray(img).astype(np.float32)
    return _dirty(rng, plate)


# The texts of the foreign plates the last render_scene drew, in the order of its quads ("" for US-style
# plates): the labels of the foreign-plate evaluation set (training/ocr/make_intl_eval.py).
last_texts: list[str] = []


def foreign_plate(rng: random.Random, height: int = 120) -> np.ndarray:
    """A frontal European or Brazilian plate (BGR, its own aspect ratio), sometimes dirty."""
    from tools.synth.intl_plate import render_intl_plate  # imported on demand: US-only renders do without it

    rgb, label, _ = render_intl_plate(rng)
    last_texts.append(label)
    plate = cv2.resize(rgb[:, :, ::-1], (int(height * rgb.shape[1] / rgb.shape[0]), height),
                       interpolation=cv2.INTER_AREA).astype(np.float32)
    return _dirty(rng, plate)


def plate_corners(rng: random.Random, cx: float, cy: float, ph: float, tilt: float = 1.0,
                  aspect: float | None = None) -> np.ndarray:
    """Four corners (clockwise from top-left) of a plate ph px tall seen in perspective (width/height
    `aspect`, US-like 1.9-2.1 when not given)."""
    pw = ph * (aspect if aspect is not None else rng.uniform(1.9, 2.1))
    yaw = rng.uniform(-0.7, 0.7) * tilt      # rad
    pitch = rng.uniform(-0.35, 0.35) * tilt
    roll = rng.gauss(0, 0.08) * tilt
    pts = np.array([[-pw / 2, -ph / 2, 0], [pw / 2, -ph / 2, 0], [pw / 2, ph / 2, 0], [-pw / 2, ph / 2, 0]])
    cyaw, syaw, cp, sp, cr, sr = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch), math.cos(roll), math.sin(roll)
    ry = np.array([[cyaw, 0, syaw], [0, 1, 0], [-syaw, 0, cyaw]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    p = pts @ (rz @ rx @ ry).T
    f = pw * rng.uniform(2.0, 8.0)  # focal length in plate widths: near cameras distort more
    p = p[:, :2] * (f / (f + p[:, 2:3]))
    p += np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, ph * 0.015, p.shape)
    return (p + [cx, cy]).astype(np.float32)


def warp_onto(scene: np.ndarray, src: np.ndarray, corners: np.ndarray, alpha: float = 1.0) -> None:
    """Composites src (BGR) onto scene with its corners at `corners`, anti-aliased, in place."""
    h, w = src.shape[:2]
    x0, y0 = np.floor(corners.min(0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
    x0c, y0c, x1c, y1c = max(0, x0), max(0, y0), min(scene.shape[1], x1), min(scene.shape[0], y1)
    if x1c <= x0c or y1c <= y0c:
        return
    srcq = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(srcq, corners - np.array([x0c, y0c], np.float32))
    size = (x1c - x0c, y1c - y0c)
    warped = cv2.warpPerspective(src, m, size, flags=cv2.INTER_AREA if h > 2 * (y1 - y0) else cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size, flags=cv2.INTER_LINEAR)
    a = (mask.astype(np.float32) / 255.0 * alpha)[..., None]
    roi = scene[y0c:y1c, x0c:x1c]
    roi[:] = (roi * (1 - a) + warped * a).astype(np.uint8)


def procedural_background(rng: random.Random, h: int, w: int) -> np.ndarray:
    """Road/building-like clutter: gradients, blocks, lines, windows."""
    c0, c1 = np.array(_rand_color(rng, 20, 200), np.float32), np.array(_rand_color(rng, 20, 200), np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(c0 * (1 - t) + c1 * t, (h, w, 3)).copy()
    for _ in range(rng.randint(5, 30)):
        col = _rand_color(rng, 10, 240)
        x, y = rng.randint(-w // 4, w), rng.randint(-h // 4, h)
        if rng.random() < 0.6:
            cv2.rectangle(img, (x, y), (x + rng.randint(10, w // 2), y + rng.randint(5, h // 2)), col, -1)
        elif rng.random() < 0.5:
            cv2.line(img, (x, y), (rng.randint(0, w), rng.randint(0, h)), col, rng.randint(1, 8))
        else:
            cv2.ellipse(img, (x, y), (rng.randint(5, w // 6), rng.randint(5, h // 6)), rng.uniform(0, 180), 0, 360, col, -1)
    if rng.random() < 0.5:  # windows / grid patterns (regular edges like characters)
        x0, y0 = rng.randint(0, w // 2), rng.randint(0, h // 2)
        sx, sy = rng.randint(6, 40), rng.randint(6, 40)
        col = _rand_color(rng, 0, 255)
        for yy in range(y0, min(h, y0 + rng.randint(40, h)), sy):
            for xx in range(x0, min(w, x0 + rng.randint(40, w)), sx):
                cv2.rectangle(img, (xx, yy), (xx + sx // 2, yy + sy // 2), col, -1)
    noise = np.empty((h // 4 + 1, w // 4 + 1), np.float32)
    cv2.setRNGSeed(rng.randint(0, 1 << 30))
    cv2.randn(noise, 0.0, rng.uniform(2, 12))
    img += cv2.resize(noise, (w, h))[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def photo_background(rng: random.Random, photo: np.ndarray, h: int, w: int) -> np.ndarray:
    ph, pw = photo.shape[:2]
    s = max(h / ph, w / pw) * rng.uniform(1.0, 1.6)
    img = cv2.resize(photo, (max(w, int(pw * s + 1)), max(h, int(ph * s + 1))), interpolation=cv2.INTER_LINEAR)
    y, x = rng.randint(0, img.shape[0] - h), rng.randint(0, img.shape[1] - w)
    img = img[y:y + h, x:x + w]
    if rng.random() < 0.5:
        img = img[:, ::-1]
    return np.ascontiguousarray(img)


def draw_vehicle(rng: random.Random, scene: np.ndarray, cx: float, cy: float, ph: float) -> None:
    """A car front/back around a plate centred at (cx, cy): body, bumper, lights, grille."""
    bw, bh = ph * rng.uniform(7, 12), ph * rng.uniform(4, 7)
    x0, y0 = int(cx - bw / 2 + rng.uniform(-1, 1) * ph), int(cy - bh * rng.uniform(0.55, 0.8))
    col = _rand_color(rng, 10, 240) if rng.random() < 0.6 else (rng.randint(10, 240),) * 3
    cv2.rectangle(scene, (x0, y0), (int(x0 + bw), int(y0 + bh)), col, -1)
    # windscreen / rear window: darker trapezoid at the top
    ws = np.array([[x0 + bw * 0.15, y0], [x0 + bw * 0.85, y0], [x0 + bw * 0.95, y0 - bh * 0.5],
                   [x0 + bw * 0.05, y0 - bh * 0.5]], np.int32)
    cv2.fillPoly(scene, [ws], _rand_color(rng, 10, 90))
    # bumper band across the plate's lower half
    by = int(cy + ph * rng.uniform(-0.2, 0.6))
    cv2.rectangle(scene, (x0, by), (int(x0 + bw), int(by + ph * rng.uniform(0.5, 1.5))), _rand_color(rng, 10, 120), -1)
    for sx in (x0 + bw * 0.12, x0 + bw * 0.88):  # lights
        lc = rng.choice([(30, 30, 200), (220, 220, 230), (40, 120, 230), (200, 200, 60)])
        cv2.ellipse(scene, (int(sx), int(cy - ph * 1.5)), (int(ph * rng.uniform(0.6, 1.5)), int(ph * rng.uniform(0.3, 0.8))),
                    0, 0, 360, lc, -1)
    if rng.random() < 0.5:  # grille above the plate: horizontal slats (edges like text)
        gy0, gx0 = int(cy - ph * 2.2), int(cx - ph * 2)
        gc = _rand_color(rng, 0, 80)
        for k in range(rng.randint(2, 6)):
            yy = gy0 + int(k * ph * 0.25)
            cv2.line(scene, (gx0, yy), (int(gx0 + ph * 4), yy), gc, max(1, int(ph * 0.08)))
    if rng.random() < 0.4:  # make / model badge lettering
        img = Image.fromarray(scene)
        d = ImageDraw.Draw(img)
        d.text((cx + ph * rng.uniform(1.5, 3), cy - ph * rng.uniform(1, 2)), rng.choice(WORDS[23:34]),
               font=_font(rng, ph * rng.uniform(0.25, 0.6)), fill=_rand_color(rng, 150, 255))
        scene[:] = np.asarray(img)


def draw_distractors(rng: random.Random, scene: np.ndarray, scale: float, avoid: list[np.ndarray]) -> None:
    """Signs, truck lettering, timestamps and bumper stickers: text that is not a plate."""
    h, w = scene.shape[:2]
    img = Image.fromarray(scene)
    d = ImageDraw.Draw(img)

    def free(x0, y0, x1, y1):
        for c in avoid:
            cx0, cy0 = c.min(0)
            cx1, cy1 = c.max(0)
            if x0 < cx1 and cx0 < x1 and y0 < cy1 and cy0 < y1:
                return False
        return True

    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        size = rng.uniform(10, 60) * scale
        if kind < 0.45:
            text = rng.choice(WORDS) if rng.random() < 0.6 else random_plate_text(rng) + " " + rng.choice(WORDS)
        elif kind < 0.7:
            text = "".join(rng.choice(LETTERS + DIGITS + " -") for _ in range(rng.randint(3, 12)))
        else:
            text = f"20{rng.randint(10, 29)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        font = _font(rng, size)
        tw = d.textlength(text, font=font)
        x, y = rng.uniform(-tw * 0.2, w - tw * 0.8), rng.uniform(0, h - size)
        if not free(x - size, y - size, x + tw + size, y + size * 2):
            continue
        fg = _rand_color(rng)
        if rng.random() < 0.55:  # on a sign / sticker / truck panel
            pad = size * rng.uniform(0.15, 0.6)
            bg = _rand_color(rng)
            d.rectangle([x - pad, y - pad, x + tw + pad, y + size * 1.2 + pad], fill=bg)
            fg = tuple(255 - c for c in bg) if rng.random() < 0.7 else fg
        if rng.random() < 0.3:  # outlined overlay (timestamps)
            d.text((x, y), text, font=font, fill=fg, stroke_width=max(1, int(size / 12)), stroke_fill=(0, 0, 0))
        else:
            d.text((x, y), text, font=font, fill=fg)
    scene[:] = np.asarray(img)


def photometric(rng: random.Random, img: np.ndarray, plate_quads: list[np.ndarray], blur_scale: float = 1.0) -> np.ndarray:
    """Lighting, shadows, night/IR, blur, noise, JPEG on the whole frame."""
    f = img.astype(np.float32)
    if f.ndim == 2:
        f = f[..., None]
    h, w, ch = f.shape
    if rng.random() < 0.4:  # hard shadow edge (across plates too)
        p1, p2 = (rng.uniform(0, w), 0), (rng.uniform(0, w), h)
        m = np.ones((h, w), np.float32)
        poly = np.array([p1, p2, (w * 2, h), (w * 2, 0)] if rng.random() < 0.5 else [p1, p2, (-w, h), (-w, 0)], np.int32)
        cv2.fillPoly(m, [poly], rng.uniform(0.3, 0.7))
        f *= cv2.GaussianBlur(m, (0, 0), rng.uniform(0.5, 3))[..., None]
    if rng.random() < 0.5:  # smooth illumination gradient / vignette
        gx = np.linspace(rng.uniform(0.5, 1.3), rng.uniform(0.5, 1.3), w, dtype=np.float32)
        gy = np.linspace(rng.uniform(0.6, 1.2), rng.uniform(0.6, 1.2), h, dtype=np.float32)
        f *= (gy[:, None] * gx[None, :])[..., None]
    night = rng.random() < 0.18
    if night:  # IR / night: grey, dark surroundings, retro-reflective plate bright
        g = f.mean(2, keepdims=True) * rng.uniform(0.15, 0.5)
        for q in plate_quads:
            m = np.zeros((h, w), np.float32)
            cv2.fillConvexPoly(m, np.round(q).astype(np.int32), 1.0)
            boost = rng.uniform(1.5, 4.0)
            g = g * (1 + (boost - 1) * m[..., None])
        f = np.repeat(g, ch, 2)
    else:
        f = f * rng.uniform(0.55, 1.35) + rng.uniform(-40, 40)
        f *= np.array([rng.uniform(0.85, 1.15) for _ in range(ch)], np.float32)
    f = np.clip(f, 0, 255)
    if rng.random() < 0.5:  # gamma
        f = 255.0 * (f / 255.0) ** rng.uniform(0.6, 1.6)
    if rng.random() < 0.5:
        s = rng.uniform(0.3, 1.8) * blur_scale
        f = cv2.GaussianBlur(f, (0, 0), s).reshape(h, w, ch)
    elif rng.random() < 0.3:  # motion blur
        k = max(3, int(rng.uniform(3, 11) * blur_scale) | 1)
        ker = np.zeros((k, k), np.float32)
        ker[k // 2] = 1.0 / k
        ker = cv2.warpAffine(ker, cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0), (k, k))
        f = cv2.filter2D(f, -1, ker / max(ker.sum(), 1e-6)).reshape(h, w, ch)
    noise = np.empty_like(f)
    cv2.setRNGSeed(rng.randint(0, 1 << 30))
    cv2.randn(noise, 0.0, rng.uniform(0, 8))
    f += noise
    out = np.clip(f, 0, 255).astype(np.uint8)
    if ch == 1:
        out = out[..., 0]
    q = rng.randint(25, 95)
    ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)


@dataclass
class SceneSpec:
    width: int = 1280
    height: int = 720
    min_plate: float = 25.0   # plate height range, px
    max_plate: float = 130.0
    max_plates: int = 4
    tilt: float = 1.0         # 0 = frontal, 1 = full perspective range
    p_empty: float = 0.15     # chance of a frame without any plate
    distractors: bool = True
    photometric: bool = True
    backgrounds: list = field(default_factory=list)  # BGR photos to use as backgrounds
    gray: bool = False        # return a grey frame (cheaper photometric pass; what the detector sees)
    inside: bool = False      # keep every plate wholly inside the frame (tests); training lets them cross the edge
    intl: float = 0.0         # share of foreign plates (tools.synth.intl_plate: European, Brazilian)


def render_scene(rng: random.Random, spec: SceneSpec) -> tuple[np.ndarray, list[np.ndarray]]:
    """A BGR frame and the plates' corners (each a 4x2 float array, clockwise from top-left)."""
    h, w = spec.height, spec.width
    if spec.backgrounds and rng.random() < 0.75:
        scene = photo_background(rng, rng.choice(spec.backgrounds), h, w)
    else:
        scene = procedural_background(rng, h, w)
    n = 0 if rng.random() < spec.p_empty else rng.randint(1, spec.max_plates)
    quads: list[np.ndarray] = []
    last_texts.clear()
    boxes: list[tuple[float, float, float, float]] = []
    for _ in range(n * 3):
        if len(quads) >= n:
            break
        ph = math.exp(rng.uniform(math.log(spec.min_plate), math.log(spec.max_plate)))
        mx, my = (ph * (2.7 if spec.intl else 1.6), ph * 1.0) if spec.inside else (ph * 0.5, ph * 0.4)  # foreign: up to 4.7:1
        if w <= 2 * mx or h <= 2 * my:
            continue
        cx, cy = rng.uniform(mx, w - mx), rng.uniform(my, h - my)
        # keep vehicles apart (a plate's box grown by its car)
        b = (cx - ph * 3, cy - ph * 2, cx + ph * 3, cy + ph * 2)
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes):
            continue
        boxes.append(b)
        if rng.random() < 0.8:
            draw_vehicle(rng, scene, cx, cy, ph)
        if spec.intl and rng.random() < spec.intl:
            plate = foreign_plate(rng, int(min(200, max(60, ph * 2))))
            corners = plate_corners(rng, cx, cy, ph, spec.tilt, plate.shape[1] / plate.shape[0])
        else:
            corners = plate_corners(rng, cx, cy, ph, spec.tilt)
            plate = varied_plate(rng, int(min(200, max(60, ph * 2))))
            last_texts.append("")
        if rng.random() < 0.5:  # holder / surround slightly larger than the plate
            grow = rng.uniform(1.04, 1.15)
            c = corners.mean(0)
            warp_onto(scene, np.full((8, 16, 3), _rand_color(rng, 0, 80), np.uint8), (corners - c) * grow + c)
        warp_onto(scene, plate, corners)
        quads.append(corners)
    if spec.distractors:
        draw_distractors(rng, scene, max(0.5, w / 1280), quads)
    if spec.gray:
        scene = cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY)
    if spec.photometric:
        scene = photometric(rng, scene, quads, blur_scale=max(0.7, w / 1280))
    return scene, quads


def main() -> None:
    import argparse
    import json

    ap = argparse.ArgumentParser(description="Render synthetic roadway scenes with plates at known places")
    ap.add_argument("out", help="output folder (created); writes scene_NNN.jpg and labels.json")
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--min-plate", type=float, default=35)
    ap.add_argument("--max-plate", type=float, default=90)
    ap.add_argument("--max-plates", type=int, default=3)
    ap.add_argument("--tilt", type=float, default=0.4)
    ap.add_argument("--empty", action="store_true", help="backgrounds and distractors only, no plate")
    ap.add_argument("--clean", action="store_true", help="no photometric degradation")
    ap.add_argument("--intl", type=float, default=0.0, help="share of foreign (European, Brazilian) plates, whose "
                    "text labels.json gives (needs the training fonts: scripts/setup-training.sh)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    spec = SceneSpec(args.width, args.height, args.min_plate, args.max_plate, args.max_plates, args.tilt,
                     1.0 if args.empty else 0.0, True, not args.clean, inside=True, intl=args.intl)
    labels = []
    for i in range(args.count):
        img, quads = render_scene(rng, spec)
        name = f"scene_{i:03d}.jpg"
        cv2.imwrite(os.path.join(args.out, name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        plates = []
        for q, text in zip(quads, last_texts):
            x0, y0 = q.min(0)
            x1, y1 = q.max(0)
            plates.append({"corners": q.round(1).tolist(),
                           "box": [int(x0), int(y0), int(math.ceil(x1 - x0)), int(math.ceil(y1 - y0))],
                           **({"text": text} if text else {})})
        labels.append({"file": name, "width": img.shape[1], "height": img.shape[0], "plates": plates})
    with open(os.path.join(args.out, "labels.json"), "w") as fh:
        json.dump(labels, fh, indent=1)


if __name__ == "__main__":
    main()
