"""Synthetic US plate crops for training the OCR + state model.

render_us_plate() draws a frontal plate in a state's approximate look (tools.synth.us_states)
with fonts from Debian font packages; augment_crop() turns it into a realistic tight crop
(perspective and crop jitter first, then frames, dirt, light, blur, down-up scaling, JPEG and
noise, in the order the recognizer notes rank them). Everything takes an explicit
random.Random so a dataset is reproducible from its seed.
"""
from __future__ import annotations

import glob
import io
import math
import os
import random
import string

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .us_states import STATES, VANITY_FORMATS, StateLook

PLATE_W, PLATE_H = 320, 160

_FONT_DIRS = ["/usr/share/fonts/truetype", "/usr/share/fonts/opentype"]


def _find(*names: str) -> list[str]:
    out = []
    for n in names:
        for d in _FONT_DIRS:
            out += glob.glob(os.path.join(d, "**", n), recursive=True)
    return sorted(set(out))


CHAR_FONTS = _find("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf",
                   "LiberationSansNarrow-Bold.ttf", "LiberationSans-Bold.ttf", "LiberationMono-Bold.ttf",
                   "FreeSansBold.ttf", "FreeMonoBold.ttf", "NimbusSansNarrow-Bold.otf", "NimbusSans-Bold.otf",
                   "NimbusMonoPS-Bold.otf", "NotoSans-Bold.ttf", "NotoSansMono-Bold.ttf", "NotoSans-CondensedBold.ttf",
                   "URWGothic-Demi.otf", "DejaVuSansCondensed.ttf", "LiberationSansNarrow-Regular.ttf",
                   "NimbusSansNarrow-Regular.otf", "NotoSansDisplay-Bold.ttf")
NAME_FONTS = {
    "sans": _find("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "FreeSansBold.ttf", "NimbusSans-Bold.otf",
                  "NotoSans-Bold.ttf", "URWGothic-Demi.otf", "DejaVuSansCondensed-Bold.ttf"),
    "serif": _find("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf", "FreeSerifBold.ttf", "NimbusRoman-Bold.otf",
                   "C059-Bold.otf", "P052-Bold.otf", "URWBookman-Demi.otf", "NotoSerif-Bold.ttf"),
    "script": _find("Z003-MediumItalic.otf", "C059-BdIta.otf", "P052-BoldItalic.otf", "URWBookman-DemiItalic.otf",
                    "NimbusRoman-BoldItalic.otf", "LiberationSerif-BoldItalic.ttf", "FreeSerifBoldItalic.ttf",
                    "NotoSerif-BoldItalic.ttf"),
}
SMALL_FONTS = NAME_FONTS["sans"] + NAME_FONTS["serif"]
# Tall, narrow, even-stroke faces closer to the US plate dies (Penitentiary Gothic and its kin), used by
# the plate look (render_us_plate plate_look): Debian's fonts-bebas-neue and fonts-roboto-unhinted.
PLATE_FONTS = _find("BebasNeue-Bold.otf", "BebasNeue-Regular.otf", "RobotoCondensed-Bold.ttf",
                    "RobotoCondensed-Medium.ttf", "RobotoCondensed-Regular.ttf")
if not CHAR_FONTS:
    raise RuntimeError("no fonts found: run scripts/setup-training.sh")

_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, max(4, size))
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(path, key[1])
    return _font_cache[key]


LETTERS = string.ascii_uppercase
DIGITS = string.digits


def random_serial(rng: random.Random, look: StateLook) -> str:
    """A serial in one of the state's formats (or a vanity one); separators kept for drawing."""
    return fill_format(rng.choice(VANITY_FORMATS) if rng.random() < 0.12 else rng.choice(look.formats), rng)


def fill_format(fmt: str, rng: random.Random) -> str:
    """A serial from a format: L a letter, D a digit, X either; any other character kept as is."""
    out = []
    for ch in fmt:
        if ch == "L":
            out.append(rng.choice(LETTERS))
        elif ch == "D":
            out.append(rng.choice(DIGITS))
        elif ch == "X":
            out.append(rng.choice(LETTERS + DIGITS))
        else:
            out.append(ch)
    return "".join(out)


def _jitter(c: tuple[int, int, int], rng: random.Random, amount: int = 18) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, v + rng.randint(-amount, amount)))) for v in c)


def _gradient(top, bottom, w, h) -> Image.Image:
    t = np.linspace(0, 1, h)[:, None, None]
    arr = (np.array(top)[None, None, :] * (1 - t) + np.array(bottom)[None, None, :] * t)
    arr = np.repeat(arr, w, axis=1).astype(np.uint8)
    return Image.fromarray(arr, "RGB")


def _draw_extras(img: Image.Image, look: StateLook, rng: random.Random) -> None:
    d = ImageDraw.Draw(img, "RGBA")
    w, h = img.size
    extras = list(look.extras)
    if rng.random() < 0.25:
        extras.append(rng.choice(["mountains", "sun", "waves", "blob", "fields"]))
    for e in extras:
        a = rng.randint(60, 160)
        if e == "mountains":
            col = rng.choice([(90, 120, 160), (120, 150, 110), (150, 120, 100), (170, 180, 200)])
            pts = [(0, h)]
            x = 0
            while x < w:
                pts.append((x, int(h * rng.uniform(0.45, 0.8))))
                x += rng.randint(20, 70)
            pts += [(w, int(h * 0.7)), (w, h)]
            d.polygon(pts, fill=col + (a,))
        elif e == "sun":
            r = rng.randint(20, 50)
            cx, cy = rng.randint(0, w), rng.randint(int(h * 0.2), int(h * 0.7))
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(240, 180, 60, a))
        elif e == "waves":
            for k in range(rng.randint(1, 3)):
                y0 = int(h * rng.uniform(0.55, 0.9))
                pts = [(x, y0 + int(8 * math.sin(x / 25 + k))) for x in range(0, w + 10, 10)]
                d.line(pts, fill=(90, 140, 200, a), width=rng.randint(3, 8))
        elif e == "rainbow":
            cx, cy, r = w // 2, int(h * 1.2), int(h * 0.9)
            for i, col in enumerate([(230, 60, 60), (240, 160, 50), (240, 230, 60), (80, 180, 80), (70, 110, 220)]):
                rr = r - i * 6
                d.arc([cx - rr * 1.6, cy - rr, cx + rr * 1.6, cy + rr], 180, 360, fill=col + (a,), width=6)
        elif e in ("orange", "peach"):
            r = rng.randint(18, 30)
            cx, cy = rng.randint(int(w * 0.3), int(w * 0.7)), int(h * 0.5)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(240, 140, 40, 200))
            d.ellipse([cx - 6, cy - r - 8, cx + 10, cy - r + 2], fill=(50, 140, 50, 220))
        elif e == "tree":
            cx = rng.randint(int(w * 0.3), int(w * 0.7))
            d.polygon([(cx, int(h * 0.2)), (cx - 30, int(h * 0.8)), (cx + 30, int(h * 0.8))], fill=(60, 130, 70, a))
        elif e == "fields":
            y = int(h * rng.uniform(0.65, 0.85))
            d.rectangle([0, y, w, h], fill=rng.choice([(110, 160, 90), (200, 180, 110), (120, 170, 200)]) + (a,))
        elif e == "blob":
            for _ in range(rng.randint(1, 4)):
                x, y, r = rng.randint(0, w), rng.randint(0, h), rng.randint(10, 60)
                d.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=_jitter((180, 190, 210), rng, 60) + (a // 2,))


def _text_fit(draw: ImageDraw.ImageDraw, text: str, font_path: str, max_w: float, size: int):
    f = _font(font_path, size)
    tw = draw.textlength(text, font=f)
    if tw > max_w and tw > 0:
        f = _font(font_path, max(6, int(size * max_w / tw)))
        tw = draw.textlength(text, font=f)
    return f, tw


def _sticker(d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, w: int, h: int) -> None:
    col = rng.choice([(240, 220, 40), (230, 60, 50), (60, 160, 80), (250, 130, 40), (80, 120, 220), (240, 240, 240)])
    d.rectangle([x, y, x + w, y + h], fill=col)
    f = _font(rng.choice(SMALL_FONTS), max(6, int(h * 0.7)))
    d.text((x + 2, y + h * 0.1), rng.choice(["JUN", "10", "08", "2011", "MAY", "07", "OCT", "APR"]), font=f, fill=(20, 20, 20))


# The serial's box (x, y, w, h) on the last plate render_us_plate drew: text-box crops (augment_crop
# text_box=...) imitate a detector trained on boxes drawn tight around the characters.
last_text_box: tuple[int, int, int, int] = (0, 0, PLATE_W, PLATE_H)


def _silhouette_spokes(rng: random.Random, min_radius: float) -> list[tuple[float, float]]:
    """A jagged silhouette's corners as (angle, radius as a fraction of the full one), in angle order."""
    return sorted((rng.uniform(0, 2 * math.pi), rng.uniform(min_radius, 1.0)) for _ in range(rng.randint(6, 12)))


def _side_item(img: Image.Image, rng: random.Random, x0: float, x1: float, cy: float,
               ink: tuple[int, int, int], font_path: str) -> None:
    """Clutter beside the serial, never part of the text (real dev crops misread for it: stacked "RT",
    "PC", "20", "WT"; a spider, a turkey, a pelican, a wheelchair, a "Donate Life" panel, a college
    logo): two or three stacked small characters, a coloured emblem, or a panel with small print,
    between x0 and x1, centred on height cy."""
    d = ImageDraw.Draw(img, "RGBA")
    bw, h = x1 - x0, img.size[1]
    kind = rng.choice(("stack", "stack", "emblem", "emblem", "panel"))
    if kind == "stack":
        n = 2 if rng.random() < 0.8 else 3
        ch_h = h * rng.uniform(0.15, 0.26) * (2 / n)
        f = _font(font_path if rng.random() < 0.6 else rng.choice(CHAR_FONTS + PLATE_FONTS), int(ch_h * 1.25))
        col = ink if rng.random() < 0.6 else _jitter(rng.choice([(200, 40, 40), (30, 60, 150), (20, 20, 20)]), rng, 20)
        top = cy - n * ch_h * 1.1 / 2
        pool = LETTERS + DIGITS if rng.random() < 0.7 else DIGITS
        for k in range(n):
            d.text((x0 + bw * rng.uniform(0.1, 0.35), top + k * ch_h * 1.1), rng.choice(pool), font=f, fill=col)
    elif kind == "emblem":
        eh = h * rng.uniform(0.3, 0.65)
        ew = min(bw * rng.uniform(0.7, 1.0), eh * rng.uniform(0.6, 1.4))
        ex, ey = x0 + (bw - ew) / 2, cy - eh / 2
        col = _jitter(rng.choice([(20, 20, 20), (200, 40, 40), (30, 90, 40), (40, 60, 150), (140, 30, 120),
                                  (230, 140, 30), (90, 60, 40)]), rng, 25) + (rng.randint(170, 255),)
        if rng.random() < 0.5:  # a silhouette: a jagged polygon
            pts = [(ex + ew * (0.5 + 0.5 * r * math.cos(a)), ey + eh * (0.5 + 0.5 * r * math.sin(a)))
                   for a, r in _silhouette_spokes(rng, 0.35)]
            d.polygon(pts, fill=col)
        else:  # a round badge with a mark inside
            d.ellipse([ex, ey, ex + ew, ey + eh], fill=col if rng.random() < 0.5 else None, outline=col, width=3)
            inner = _jitter((240, 240, 240), rng, 20) + (255,)
            for _ in range(rng.randint(1, 3)):
                d.line([(ex + ew * rng.uniform(0.2, 0.8), ey + eh * rng.uniform(0.2, 0.8)),
                        (ex + ew * rng.uniform(0.2, 0.8), ey + eh * rng.uniform(0.2, 0.8))], fill=inner, width=rng.randint(2, 5))
    else:
        ph = h * rng.uniform(0.4, 0.7)
        col = _jitter(rng.choice([(30, 120, 60), (200, 40, 40), (30, 60, 150), (20, 20, 20), (240, 200, 40)]), rng, 20)
        d.rounded_rectangle([x0, cy - ph / 2, x1, cy + ph / 2], radius=rng.randint(0, 8), fill=col)
        f = _font(rng.choice(SMALL_FONTS), max(6, int(h * rng.uniform(0.06, 0.09))))
        txt_col = (250, 250, 250) if sum(col) < 400 else (20, 20, 20)
        for k in range(rng.randint(2, 3)):
            d.text((x0 + 3, cy - ph / 2 + 4 + k * h * 0.1), rng.choice(["DONATE", "LIFE", "SAVE", "THE", "WILD", "VET",
                                                                         "ERAN", "PARK", "KIDS", "ARTS"]), font=f, fill=txt_col)


def _serif_i(gd: ImageDraw.ImageDraw, rng: random.Random, x: float, top: float, bottom: float,
             i_box: tuple[int, int, int, int], ink: tuple[int, int, int]) -> float:
    """A letter I with a bar at its top and its foot, the font's stem width; returns its advance."""
    stem = max(2.0, min(i_box[2] - i_box[0], (bottom - top) * 0.17))
    bar_w = stem * rng.uniform(2.2, 3.4)
    bar_h = stem * rng.uniform(0.55, 1.0)
    cx = x + bar_w / 2 + 1
    fill = ink + (255,)
    gd.rectangle([cx - stem / 2, top, cx + stem / 2, bottom], fill=fill)
    gd.rectangle([cx - bar_w / 2, top, cx + bar_w / 2, top + bar_h], fill=fill)
    gd.rectangle([cx - bar_w / 2, bottom - bar_h, cx + bar_w / 2, bottom], fill=fill)
    return bar_w + 2


def _gap_emblem(gd: ImageDraw.ImageDraw, rng: random.Random, x: float, top: float, bottom: float,
                ink: tuple[int, int, int]) -> float:
    """An emblem about as tall as the characters between two groups of the serial: a sun symbol (rays in
    four groups around a disc), a fruit (a disc with a leaf and blossoms), a star or a silhouette; returns
    its advance."""
    ch = bottom - top
    dia = ch * rng.uniform(0.6, 1.05)
    pad = ch * rng.uniform(0.08, 0.3)
    cx, cy = x + pad + dia / 2, (top + bottom) / 2 + ch * rng.uniform(-0.08, 0.08)
    r = dia / 2
    kind = rng.choice(("sun", "fruit", "star", "shape"))
    col = _jitter(rng.choice([(200, 30, 40), (240, 140, 30), (20, 20, 20), (30, 60, 150), (30, 110, 50)]), rng, 25)
    if kind == "sun":
        rd = r * rng.uniform(0.3, 0.45)
        gd.ellipse([cx - rd, cy - rd, cx + rd, cy + rd], fill=col + (255,))
        lw = max(1, int(r * 0.12))
        for a in (0, 90, 180, 270):
            for k in (-1, 0, 1) if rng.random() < 0.5 else (-1.5, -0.5, 0.5, 1.5):
                ang = math.radians(a)
                off = k * r * 0.22
                ox, oy = -math.sin(ang) * off, math.cos(ang) * off
                gd.line([(cx + math.cos(ang) * rd * 1.3 + ox, cy + math.sin(ang) * rd * 1.3 + oy),
                         (cx + math.cos(ang) * r + ox, cy + math.sin(ang) * r + oy)], fill=col + (255,), width=lw)
    elif kind == "fruit":
        fc = _jitter((240, 140, 35), rng, 20) + (255,)
        gd.ellipse([cx - r, cy - r * 0.9, cx + r, cy + r * 0.9], fill=fc)
        gd.ellipse([cx - r * 0.1, cy - r * 1.15, cx + r * 0.7, cy - r * 0.6], fill=_jitter((50, 140, 50), rng, 20) + (255,))
        for _ in range(rng.randint(0, 3)):
            bx, by, br = cx + rng.uniform(-0.6, 0.6) * r, cy + rng.uniform(-0.6, 0.6) * r, r * rng.uniform(0.15, 0.3)
            gd.ellipse([bx - br, by - br, bx + br, by + br], fill=(245, 245, 240, 255))
    elif kind == "star":
        pts = [(cx + (r if k % 2 == 0 else r * 0.45) * math.cos(math.pi / 2 + k * math.pi / 5),
                cy - (r if k % 2 == 0 else r * 0.45) * math.sin(math.pi / 2 + k * math.pi / 5)) for k in range(10)]
        gd.polygon(pts, fill=col + (255,))
    else:
        pts = [(cx + r * q * math.cos(a), cy + r * q * math.sin(a)) for a, q in _silhouette_spokes(rng, 0.4)]
        gd.polygon(pts, fill=col + (255,))
    return 2 * pad + dia


def render_us_plate(rng: random.Random, state: str, text: str | None = None,
                    plate_look: bool = False, clutter: bool = False, serif_i: bool = False,
                    gap_emblem: bool = False) -> tuple[np.ndarray, str]:
    """A frontal plate (PLATE_H x PLATE_W RGB array) and its text (letters and digits only).

    clutter: more that is not text beside the serial (_side_item, on either side, about half the
    plates) and wider gaps in spaced serials. serif_i: on about half the plates the letter I is drawn
    with a bar at its top and its foot, as many US plate dies draw it (the held-out dev crops read
    FAMILY, PRIVACY, IRONY and IMJSAYN with a T for it). gap_emblem: on about a third of the plates a
    character-high emblem splits the serial (New Mexico's Zia, Florida's orange: LMB-203, NM-100,
    I40-4MY read without or with a wrong character). Off: the plates of the older sets, draw for draw."""
    global last_text_box
    look = STATES[state]
    serial = text if text is not None else random_serial(rng, look)
    label = "".join(ch for ch in serial.upper() if ch.isalnum())
    w, h = PLATE_W, PLATE_H
    img = _gradient(_jitter(look.bg_top, rng, 14), _jitter(look.bg_bottom, rng, 14), w, h)
    if rng.random() < 0.5:
        _draw_extras(img, look, rng)
    d = ImageDraw.Draw(img)
    if look.band_top is not None:
        d.rectangle([0, 0, w, int(h * rng.uniform(0.18, 0.24))], fill=_jitter(look.band_top, rng, 10))
    if look.band_bottom is not None:
        d.rectangle([0, int(h * rng.uniform(0.78, 0.84)), w, h], fill=_jitter(look.band_bottom, rng, 10))

    # State name and slogan.
    name_font = rng.choice(NAME_FONTS[look.name_style])
    name_size = int(h * rng.uniform(0.13, 0.21))
    name = look.name if rng.random() > 0.1 else look.name.upper()
    f, tw = _text_fit(d, name, name_font, w * 0.8, name_size)
    ny = h * rng.uniform(0.01, 0.06) if look.name_pos == "top" else h * rng.uniform(0.78, 0.84)
    d.text(((w - tw) / 2 + rng.uniform(-8, 8), ny), name, font=f, fill=_jitter(look.name_ink, rng, 12))
    if look.slogan and rng.random() < 0.85:
        sf, sw = _text_fit(d, look.slogan, rng.choice(SMALL_FONTS), w * 0.75, int(h * rng.uniform(0.08, 0.12)))
        if look.slogan_pos == look.name_pos:
            sy = ny + name_size * 1.0 if look.name_pos == "top" else ny - h * 0.1
        else:
            sy = h * rng.uniform(0.02, 0.06) if look.slogan_pos == "top" else h * rng.uniform(0.82, 0.88)
        d.text(((w - sw) / 2, sy), look.slogan, font=sf, fill=_jitter(look.slogan_ink, rng, 12))
    if rng.random() < 0.25:  # county or dealer line at the bottom
        cf = _font(rng.choice(SMALL_FONTS), int(h * 0.08))
        d.text((w * rng.uniform(0.3, 0.45), h * 0.88), rng.choice(["CLARK", "DAVIDSON", "COOK", "KING", "ORANGE"]),
               font=cf, fill=_jitter(NAVY_OR_BLACK(rng), rng, 10))

    # Registration stickers and bolts.
    for corner in range(4):
        if rng.random() < 0.35:
            sw_, sh_ = rng.randint(28, 50), rng.randint(16, 26)
            x = rng.randint(4, 14) if corner % 2 == 0 else w - sw_ - rng.randint(4, 14)
            y = rng.randint(4, 12) if corner < 2 else h - sh_ - rng.randint(4, 12)
            _sticker(d, rng, x, y, sw_, sh_)
    if rng.random() < 0.6:
        for bx in (w * 0.2, w * 0.8):
            for by in (h * 0.12, h * 0.88):
                if rng.random() < 0.6:
                    r = rng.randint(4, 7)
                    d.ellipse([bx - r, by - r, bx + r, by + r], fill=_jitter((150, 150, 150), rng, 40))

    # The serial.
    ink = _jitter(rng.choice(look.ink), rng, 15)
    # The plate look (half of its plates): the serial in a plate-like face, taller and narrower, as on
    # most real US plates (characters about twice as tall as wide, half the plate's height or more).
    if plate_look and not PLATE_FONTS:
        raise RuntimeError("the plate look needs fonts-bebas-neue or fonts-roboto-unhinted: run scripts/setup-training.sh")
    plate_glyphs = plate_look and rng.random() < 0.5
    cpath = rng.choice(PLATE_FONTS if plate_glyphs else CHAR_FONTS)
    csize = int(h * rng.uniform(0.42, 0.55))
    left_margin = w * rng.uniform(0.04, 0.1)
    right_margin = w * rng.uniform(0.04, 0.1)
    side = None
    if clutter:
        if rng.random() < 0.45:
            side = ("left" if rng.random() < 0.6 else "right", w * rng.uniform(0.14, 0.24))
            if side[0] == "left":
                left_margin = side[1]
            else:
                right_margin = side[1]
    elif rng.random() < 0.15:  # stacked small characters or an icon on the left, not part of the text
        left_margin = w * 0.16
        sx, sy = w * 0.05, h * 0.32
        if rng.random() < 0.5:
            sf2 = _font(cpath, int(h * 0.17))
            for k in range(2):
                d.text((sx, sy + k * h * 0.18), rng.choice(LETTERS), font=sf2, fill=ink)
        else:
            r = int(h * 0.14)
            d.ellipse([sx, sy, sx + 2 * r, sy + 2 * r], outline=ink, width=4)
            d.line([sx + r, sy + r * 0.3, sx + r, sy + 1.5 * r], fill=ink, width=4)
    sep_icon = rng.random() < 0.12
    wide_gap = clutter and rng.random() < 0.2
    draw_text = serial.replace("-", "-" if rng.random() < 0.7 else " ")
    serif_plate = serif_i and rng.random() < 0.5
    if gap_emblem and rng.random() < 0.35:
        parts = draw_text.replace("-", " ").split()
        if len(parts) < 2 and len(label) >= 3:  # no gap in the format: split the serial near its middle
            cut = rng.randint(max(1, len(label) // 2 - 1), min(len(label) - 1, len(label) // 2 + 1))
            parts = [label[:cut], label[cut:]]
        draw_text = parts[0] + "\x00" + "".join(parts[1:]) if len(parts) >= 2 else draw_text
    glyph_layer = Image.new("RGBA", (int(w * 2), int(csize * 1.6)), (0, 0, 0, 0))
    gd = ImageDraw.Draw(glyph_layer)
    cf = _font(cpath, csize)
    x = 4.0
    spacing = csize * rng.uniform(-0.02, 0.1)
    cap_top, cap_bottom = gd.textbbox((0, 0), "H", font=cf)[1::2]
    for ch in draw_text:
        if ch == "\x00":
            x += _gap_emblem(gd, rng, x, cap_top, cap_bottom, ink)
            continue
        if ch == "I" and serif_plate:
            x += _serif_i(gd, rng, x, cap_top, cap_bottom, gd.textbbox((0, 0), "I", font=cf), ink) + spacing
            continue
        if ch == " ":
            if sep_icon:
                r = csize * 0.22
                gd.ellipse([x + 2, csize * 0.45 - r, x + 2 + 2 * r, csize * 0.45 + r], fill=_jitter((200, 60, 40), rng, 40) + (255,))
                x += 2 * r + 6
            else:
                x += csize * (rng.uniform(0.6, 1.3) if wide_gap else rng.uniform(0.2, 0.5))
            continue
        if ch == "-":
            if rng.random() < 0.5:
                gd.text((x, 0), "-", font=cf, fill=ink + (255,))
                x += gd.textlength("-", font=cf) + spacing
            else:
                r = csize * 0.08
                gd.ellipse([x + 2, csize * 0.55 - r, x + 2 + 2 * r, csize * 0.55 + r], fill=ink + (255,))
                x += 2 * r + 6
            continue
        gd.text((x, 0), ch, font=cf, fill=ink + (255,))
        x += gd.textlength(ch, font=cf) + spacing
    bbox = glyph_layer.getbbox() or (0, 0, 1, 1)
    glyphs = glyph_layer.crop(bbox)
    avail_w = w - left_margin - right_margin
    gh = int(h * (rng.uniform(0.46, 0.6) if plate_look else rng.uniform(0.4, 0.52)))
    gw = int(glyphs.width * gh / max(1, glyphs.height) * (rng.uniform(0.7, 1.1) if plate_look else rng.uniform(0.85, 1.15)))
    gw = max(8, min(gw, int(avail_w)))
    glyphs = glyphs.resize((gw, gh), Image.LANCZOS)
    gx = int(left_margin + (avail_w - gw) / 2 + rng.uniform(-0.05, 0.05) * avail_w)
    gy = int(h * (rng.uniform(0.2, max(0.21, 0.92 - gh / h)) if plate_look else rng.uniform(0.26, 0.36)))
    if side is not None:  # drawn before the serial, which may overlap it a little
        into = w * rng.uniform(0.0, 0.05) if rng.random() < 0.3 else 0.0
        x0, x1 = (w * 0.03, side[1] + into) if side[0] == "left" else (w - side[1] - into, w * 0.97)
        _side_item(img, rng, x0, x1, gy + gh / 2, ink, cpath)
    if rng.random() < 0.5:  # embossed: a shadow below-right of the ink
        shadow = Image.new("RGBA", glyphs.size, (0, 0, 0, 0))
        shadow.putalpha(glyphs.getchannel("A").point(lambda v: v * 0.5))
        img.paste(shadow, (gx + 2, gy + 2), shadow)
    img.paste(glyphs, (gx, gy), glyphs)
    last_text_box = (gx, gy, gw, gh)
    if rng.random() < 0.5:
        d.rounded_rectangle([1, 1, w - 2, h - 2], radius=rng.randint(4, 16), outline=_jitter(ink, rng, 20),
                            width=rng.randint(1, 4))
    return np.asarray(img), label


def NAVY_OR_BLACK(rng: random.Random) -> tuple[int, int, int]:
    return (25, 35, 100) if rng.random() < 0.5 else (20, 20, 20)


_BACKGROUNDS: list[np.ndarray] = []


def load_backgrounds(folder: str, limit: int = 200, rng: random.Random | None = None) -> list[np.ndarray]:
    """Loads photos (RGB) used as surroundings of the plate (car bodies, streets)."""
    files = sorted(glob.glob(os.path.join(folder, "*.jpg")) + glob.glob(os.path.join(folder, "*.png")))
    if rng is not None:
        rng.shuffle(files)
    for f in files[:limit]:
        im = cv2.imread(f, cv2.IMREAD_COLOR)
        if im is None:
            continue
        s = 480 / max(im.shape[:2])
        if s < 1:
            im = cv2.resize(im, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        _BACKGROUNDS.append(im[:, :, ::-1].copy())
    return _BACKGROUNDS


def _background(rng: random.Random, w: int, h: int) -> np.ndarray:
    if _BACKGROUNDS and rng.random() < 0.7:
        bg = rng.choice(_BACKGROUNDS)
        if bg.shape[0] > h and bg.shape[1] > w:
            y, x = rng.randint(0, bg.shape[0] - h), rng.randint(0, bg.shape[1] - w)
            return bg[y:y + h, x:x + w].copy()
    col = np.array(_jitter((100, 100, 100), rng, 90), np.uint8)
    return np.tile(col, (h, w, 1)) + np.random.default_rng(rng.randint(0, 1 << 30)).integers(0, 20, (h, w, 1), dtype=np.uint8)


def _occlusions(plate: np.ndarray, rng: random.Random) -> np.ndarray:
    img = plate.astype(np.float32)
    h, w = img.shape[:2]
    if rng.random() < 0.3:  # dealer frame over the top and/or bottom text
        col = np.array(_jitter(rng.choice([(20, 20, 20), (180, 180, 185), (120, 20, 20)]), rng, 20), np.float32)
        if rng.random() < 0.6:
            img[h - int(h * rng.uniform(0.06, 0.2)):, :] = col
        if rng.random() < 0.4:
            img[: int(h * rng.uniform(0.04, 0.14)), :] = col
        if rng.random() < 0.5:
            t = rng.randint(3, 10)
            img[:, :t] = col
            img[:, w - t:] = col
    if rng.random() < 0.3:  # dirt
        mask = np.zeros((h, w), np.float32)
        for _ in range(rng.randint(1, 8)):
            cv2.circle(mask, (rng.randint(0, w), rng.randint(0, h)), rng.randint(5, 40), rng.uniform(0.2, 0.6), -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 8)[:, :, None]
        img = img * (1 - mask) + np.array([90, 75, 55], np.float32) * mask
    return np.clip(img, 0, 255).astype(np.uint8)


def augment_crop(plate: np.ndarray, rng: random.Random, out_w: int = 128, out_h: int = 64,
                 text_box: tuple[int, int, int, int] | None = None, margins: tuple[float, float] = (0.1, 0.12)
                 ) -> np.ndarray:
    """A tight crop of the plate as a localizer + rectifier would give it, degraded like a camera would.

    text_box: crop around the serial's box instead (as the plate detector, trained on character boxes,
    proposes it), each side moved like the detector's measured errors (sd 0.10 of the width, 0.14 of the
    height) and grown by `margins` (rectify_plate's margins), from a small source (22-75 px tall)."""
    nrng = np.random.default_rng(rng.randint(0, 1 << 30))
    plate = _occlusions(plate, rng)
    h, w = plate.shape[:2]
    pad = 60
    canvas = _background(rng, w + 2 * pad, h + 2 * pad)
    # Perspective: move the plate corners, paste on the background.
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    j = rng.uniform(0.0, 0.08)
    dst = src + np.float32([[rng.uniform(-j, j) * w, rng.uniform(-j, j) * h] for _ in range(4)]) + pad
    if rng.random() < 0.5:  # rotation
        a = math.radians(rng.uniform(-6, 6))
        c = dst.mean(0)
        rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        dst = (dst - c) @ rot.T + c
    M = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(plate, M, (canvas.shape[1], canvas.shape[0]), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), M, (canvas.shape[1], canvas.shape[0]))
    canvas[mask > 0] = warped[mask > 0]
    if text_box is not None:
        tx, ty, tw, th = text_box
        tq = cv2.perspectiveTransform(np.float32([[[tx, ty], [tx + tw, ty], [tx + tw, ty + th], [tx, ty + th]]]), M)[0]
        x0, y0 = tq.min(0)
        x1, y1 = tq.max(0)
        bw, bh = x1 - x0, y1 - y0
        mx, my = margins
        cx0 = x0 + bw * (rng.gauss(0, 0.10) - mx)
        cx1 = x1 + bw * (rng.gauss(0, 0.10) + mx)
        cy0 = y0 + bh * (rng.gauss(0, 0.14) - my)
        cy1 = y1 + bh * (rng.gauss(0, 0.14) + my)
        src_h = int(rng.uniform(22, 75))
    else:
        # Crop jitter around the quad's bounding box (sometimes cutting into the plate).
        x0, y0 = dst.min(0)
        x1, y1 = dst.max(0)
        bw, bh = x1 - x0, y1 - y0
        cx0 = x0 + bw * rng.uniform(-0.06, 0.05)
        cx1 = x1 + bw * rng.uniform(-0.05, 0.06)
        cy0 = y0 + bh * rng.uniform(-0.1, 0.08)
        cy1 = y1 + bh * rng.uniform(-0.08, 0.1)
        # Straight to a working size: the source resolution the camera saw.
        src_h = int(rng.uniform(20, 50) if rng.random() < 0.3 else rng.uniform(45, 160))
    src_w = int(src_h * (cx1 - cx0) / max(1.0, cy1 - cy0))
    A = cv2.getAffineTransform(np.float32([[cx0, cy0], [cx1, cy0], [cx0, cy1]]),
                               np.float32([[0, 0], [src_w, 0], [0, src_h]]))
    img = cv2.warpAffine(canvas, A, (max(8, src_w), max(8, src_h)), flags=cv2.INTER_AREA)
    img = img.astype(np.float32)
    # Illumination: gradient shading, glare, colour cast, contrast.
    hh, ww = img.shape[:2]
    if rng.random() < 0.5:
        gx = np.linspace(rng.uniform(0.5, 1.2), rng.uniform(0.5, 1.2), ww)[None, :, None]
        gy = np.linspace(rng.uniform(0.6, 1.2), rng.uniform(0.6, 1.2), hh)[:, None, None]
        img = img * gx * gy
    if rng.random() < 0.15:
        glare = np.zeros((hh, ww), np.float32)
        cv2.ellipse(glare, (rng.randint(0, ww), rng.randint(0, hh)), (rng.randint(5, ww // 2 + 6), rng.randint(3, hh // 2 + 4)),
                    rng.uniform(0, 180), 0, 360, rng.uniform(80, 200), -1)
        img += cv2.GaussianBlur(glare, (0, 0), max(1, ww / 20))[:, :, None]
    img = img * np.float32([rng.uniform(0.85, 1.15) for _ in range(3)])
    c = rng.uniform(0.6, 1.3)
    img = (img - 128) * c + 128 + rng.uniform(-35, 35)
    img = np.clip(img, 0, 255).astype(np.uint8)
    # Blur (gaussian or motion).
    r = rng.random()
    if r < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.4))
    elif r < 0.45:
        k = rng.randint(3, 7)
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        M2 = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, M2, (k, k))
        kernel /= max(1e-6, kernel.sum())
        img = cv2.filter2D(img, -1, kernel)
    if rng.random() < 0.2:
        img = np.clip(img.astype(np.float32) + nrng.normal(0, rng.uniform(2, 12), img.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        ok, enc = cv2.imencode(".jpg", img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, rng.randint(25, 95)])
        img = cv2.imdecode(enc, cv2.IMREAD_COLOR)[:, :, ::-1]
    if rng.random() < 0.05:
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        img = np.stack([g, g, g], -1)
    if rng.random() < 0.1:
        img = 255 - img if rng.random() < 0.1 else img
    interp = rng.choice([cv2.INTER_LINEAR, cv2.INTER_AREA, cv2.INTER_CUBIC])
    return np.ascontiguousarray(cv2.resize(img, (out_w, out_h), interpolation=interp))


def negative_crop(rng: random.Random, out_w: int = 128, out_h: int = 64) -> np.ndarray:
    """A plate-shaped crop of something that is not a plate (for the 'no text' output)."""
    if _BACKGROUNDS and rng.random() < 0.8:
        bg = rng.choice(_BACKGROUNDS)
        hh = rng.randint(12, max(13, bg.shape[0] // 3))
        ww = int(hh * rng.uniform(1.5, 4.0))
        if bg.shape[1] > ww and bg.shape[0] > hh:
            y, x = rng.randint(0, bg.shape[0] - hh), rng.randint(0, bg.shape[1] - ww)
            return cv2.resize(bg[y:y + hh, x:x + ww], (out_w, out_h), interpolation=cv2.INTER_AREA)
    # Non-plate text: a word on a sign or a timestamp.
    img = Image.new("RGB", (256, 128), _jitter((200, 200, 200), rng, 55))
    d = ImageDraw.Draw(img)
    word = rng.choice(["STOP", "EXIT", "PARKING", "ONE WAY", "2015-06-12 14:03:22", "FedEx", "SALE", "POLICE",
                       "LOADING ZONE", "CAM 03", "SPEED LIMIT", "OPEN", "HONDA", "TOYOTA", "Ford"])
    f, tw = _text_fit(d, word, rng.choice(CHAR_FONTS), 240, rng.randint(20, 60))
    d.text(((256 - tw) / 2, rng.randint(10, 60)), word, font=f, fill=_jitter((30, 30, 30), rng, 30))
    return cv2.resize(np.asarray(img), (out_w, out_h), interpolation=cv2.INTER_AREA)


def sample(rng: random.Random, state: str | None = None, text_crop: float = 0.0,
           margins: tuple[float, float] = (0.1, 0.12), plate_look: bool = False,
           clutter: bool = False, serif_i: bool = False, gap_emblem: bool = False) -> tuple[np.ndarray, str, str]:
    """One training sample: (RGB crop 64x128, plate text, state code); with probability text_crop the crop
    is cut around the serial as the detector + rectifier cut it (augment_crop text_box); plate_look: see
    render_us_plate."""
    st = state or rng.choice(sorted(STATES))
    plate, label = render_us_plate(rng, st, plate_look=plate_look, clutter=clutter, serif_i=serif_i,
                                   gap_emblem=gap_emblem)
    if text_crop and rng.random() < text_crop:
        return augment_crop(plate, rng, text_box=last_text_box, margins=margins), label, st
    return augment_crop(plate, rng), label, st


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Render a grid of synthetic training crops to look at")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--backgrounds", default="")
    ap.add_argument("--plate-look", action="store_true")
    ap.add_argument("--clutter", action="store_true")
    ap.add_argument("--serif-i", action="store_true")
    ap.add_argument("--gap-emblem", action="store_true")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if args.backgrounds:
        load_backgrounds(args.backgrounds, 50, rng)
    tiles = []
    for i in range(32):
        im, lab, st = sample(rng, plate_look=args.plate_look, clutter=args.clutter, serif_i=args.serif_i,
                             gap_emblem=args.gap_emblem)
        im = cv2.resize(im, (256, 128))
        im = cv2.putText(im[:, :, ::-1].copy(), f"{st} {lab}", (2, 124), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 255), 1)
        tiles.append(im)
    rows = [np.hstack(tiles[i:i + 4]) for i in range(0, 32, 4)]
    cv2.imwrite(args.out, np.vstack(rows))
