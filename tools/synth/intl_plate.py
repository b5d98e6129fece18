"""Synthetic plates from outside the US: European single-line plates and Brazilian plates.

The recognizer is built for US plates, but a roadway camera also sees foreign cars, and a plate from
another country must still be found and its characters read (with no US state claimed). These
renders give the reader and the detector that variety. The looks and serial formats are
approximate, from general knowledge of each country's plates (no photographs are used):

- EU: white (NL: yellow; UK rear: yellow) 520 x 110 mm plates, a blue band with a country code on the
  left (Italy and Portugal: a second band on the right), black characters in a narrow DIN-like
  face, a country's serial format (Germany's district letters, seals between groups, ...);
- BR: 400 x 130 mm; the older grey plate with a city line on top and "LLL-DDDD", and the Mercosur
  plate (white, blue "BRASIL" band on top, "LLLDLDD").

render_intl_plate() returns the frontal plate (RGB), its label (letters and digits only) and the
serial's box; sample() degrades it into a reader crop with tools.synth.us_plate.augment_crop.
"""
from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from . import us_plate
from .us_plate import _find, _font, _jitter, fill_format

# Narrow faces first: most European and Brazilian plates use a condensed DIN-like face.
NARROW_FONTS = _find("DejaVuSansCondensed-Bold.ttf", "LiberationSansNarrow-Bold.ttf", "NimbusSansNarrow-Bold.otf",
                     "NotoSans-CondensedBold.ttf", "LiberationSansNarrow-Regular.ttf", "NimbusSansNarrow-Regular.otf",
                     "DejaVuSansCondensed.ttf")
WIDE_FONTS = _find("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "FreeSansBold.ttf", "NimbusSans-Bold.otf",
                   "NotoSans-Bold.ttf", "DejaVuSansMono-Bold.ttf")
NARROW_FONTS = NARROW_FONTS or WIDE_FONTS  # the test machine may have only fonts-dejavu-core

# Country code -> (serial formats, background, ink, second band on the right).
# Format letters: L letter, D digit, X either; " " a gap, "-" a dash, "*" seals or a coat of arms
# (drawn, not part of the label).
EU_COUNTRIES: dict[str, tuple[list[str], tuple[int, int, int], tuple[int, int, int], bool]] = {
    "D": (["L*LL DDDD", "LL*L DDD", "LLL*LL DD", "L*L DDDD", "LL*LL DDDD", "L*LL DDDE"], (246, 246, 244), (15, 15, 15), False),
    "F": (["LL-DDD-LL"], (246, 246, 244), (15, 15, 15), True),
    "I": (["LL DDDLL", "LL DDD LL"], (246, 246, 244), (15, 15, 15), True),
    "E": (["DDDD LLL"], (246, 246, 244), (15, 15, 15), False),
    "NL": (["DD-LLL-D", "LL-DDD-L", "D-LLL-DD", "LL-DD-LL", "DD-LL-LL", "LLL-DD-L"], (245, 200, 30), (15, 15, 15), False),
    "PL": (["LL DDDDD", "LLL DDDD", "LL DDDLL", "LLL DDLL", "LL DDDDL"], (246, 246, 244), (15, 15, 15), False),
    "CZ": (["DLD DDDD", "DLL DDDD"], (246, 246, 244), (15, 15, 15), False),
    "SK": (["LL-DDDLL", "LL DDDLL"], (246, 246, 244), (15, 15, 15), False),
    "HR": (["LL DDD-LL", "LL DDDD-L", "LL*DDD-LL"], (246, 246, 244), (15, 15, 15), False),
    "SLO": (["LL*LL-DDD", "LL*DD-DDL"], (246, 246, 244), (15, 15, 15), False),
    "P": (["LL-DD-LL", "DD-LL-DD", "DD-DD-LL"], (246, 246, 244), (15, 15, 15), True),
    "B": (["D-LLL-DDD"], (246, 246, 244), (160, 20, 30), False),
    "A": (["L DDDDL", "LL DDDLL", "LL-DDDL"], (246, 246, 244), (15, 15, 15), False),
    "H": (["LLL-DDD", "LLLL-DDD"], (246, 246, 244), (15, 15, 15), False),
    "RO": (["L DDD LLL", "LL DD LLL"], (246, 246, 244), (15, 15, 15), False),
    "BG": (["LL DDDD LL", "L DDDD LL"], (246, 246, 244), (15, 15, 15), False),
    "SRB": (["LL*DDD-LL", "LL*DDDD-LL"], (246, 246, 244), (15, 15, 15), False),
    "GR": (["LLL-DDDD"], (246, 246, 244), (15, 15, 15), False),
    "LT": (["LLL DDD"], (246, 246, 244), (15, 15, 15), False),
    "FIN": (["LLL-DDD", "LL-DDD"], (246, 246, 244), (15, 15, 15), False),
    "S": (["LLL DDD", "LLL DDL"], (246, 246, 244), (15, 15, 15), False),
    "DK": (["LL DD DDD"], (246, 246, 244), (160, 20, 30), False),
    "IRL": (["DDD-L-DDDD", "DD-LL-DDDD"], (246, 246, 244), (15, 15, 15), False),
    "UK": (["LLDD LLL"], (246, 246, 244), (15, 15, 15), False),
}
BR_CITIES = ["SP - SAO PAULO", "RJ - RIO DE JANEIRO", "MG - BELO HORIZONTE", "PR - CURITIBA", "RS - PORTO ALEGRE",
             "BA - SALVADOR", "SC - FLORIANOPOLIS", "GO - GOIANIA", "PE - RECIFE", "CE - FORTALEZA", "DF - BRASILIA",
             "SP - CAMPINAS", "MG - UBERLANDIA", "SP - SANTOS", "PR - LONDRINA"]

# The state label of a foreign plate in the reader's training data (make_dataset): train.py teaches the
# state head a flat distribution on it, i.e. "no US state".
FOREIGN_STATE = "--"

EU_W, EU_H = 520, 112
BR_W, BR_H = 400, 130

# The serial's box on the last plate render_intl_plate drew (for text-box crops, as us_plate.last_text_box).
last_text_box: tuple[int, int, int, int] = (0, 0, EU_W, EU_H)


def _label(serial: str) -> str:
    return "".join(ch for ch in serial.upper() if ch.isalnum())


def _draw_serial(img: Image.Image, serial: str, rng: random.Random, box: tuple[float, float, float, float],
                 ink: tuple[int, int, int], fonts: list[str]) -> tuple[int, int, int, int]:
    """Draws the serial ("*" = two small seals, "-" a dash, " " a gap) fitted into box (x, y, w, h);
    returns the drawn characters' box."""
    bx, by, bw, bh = box
    csize = int(bh * 1.25)
    cf = _font(rng.choice(fonts), csize)
    layer = Image.new("RGBA", (int(csize * len(serial) * 1.2) + 40, int(csize * 1.6)), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x = 4.0
    spacing = csize * rng.uniform(0.0, 0.08)
    for ch in serial:
        if ch == " ":
            x += csize * rng.uniform(0.25, 0.45)
        elif ch == "*":
            r = csize * 0.17
            cx = x + r + 6
            for cy in (csize * 0.45, csize * 0.95):
                d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=_jitter((150, 60, 40), rng, 60) + (255,),
                          outline=(40, 40, 40, 255), width=2)
            x += 2 * r + 12
        elif ch == "-":
            d.text((x, 0), "-", font=cf, fill=ink + (255,))
            x += d.textlength("-", font=cf) + spacing
        else:
            d.text((x, 0), ch, font=cf, fill=ink + (255,))
            x += d.textlength(ch, font=cf) + spacing
    bbox = layer.getbbox() or (0, 0, 1, 1)
    glyphs = layer.crop(bbox)
    gh = int(bh)
    gw = int(glyphs.width * gh / max(1, glyphs.height) * rng.uniform(0.9, 1.1))
    gw = max(8, min(gw, int(bw)))
    glyphs = glyphs.resize((gw, gh), Image.LANCZOS)
    gx = int(bx + (bw - gw) / 2 + rng.uniform(-0.03, 0.03) * bw)
    gy = int(by)
    if rng.random() < 0.4:  # embossed
        shadow = Image.new("RGBA", glyphs.size, (0, 0, 0, 0))
        shadow.putalpha(glyphs.getchannel("A").point(lambda v: v * 0.45))
        img.paste(shadow, (gx + 2, gy + 2), shadow)
    img.paste(glyphs, (gx, gy), glyphs)
    return gx, gy, gw, gh


def _eu_band(d: ImageDraw.ImageDraw, x0: int, w: int, h: int, code: str, rng: random.Random) -> None:
    d.rectangle([x0, 0, x0 + w, h], fill=_jitter((0, 51, 153), rng, 20))
    r = w * 0.28
    cx, cy = x0 + w / 2, h * 0.32
    for k in range(12):  # the ring of stars, as dots
        a = k * np.pi / 6
        sx, sy = cx + r * np.cos(a), cy + r * np.sin(a)
        d.ellipse([sx - 2.5, sy - 2.5, sx + 2.5, sy + 2.5], fill=(250, 210, 40))
    if code:
        f = _font(rng.choice(WIDE_FONTS), int(h * (0.3 if len(code) < 3 else 0.22)))
        tw = d.textlength(code, font=f)
        d.text((cx - tw / 2, h * 0.58), code, font=f, fill=(250, 250, 250))


def render_eu_plate(rng: random.Random, country: str | None = None) -> tuple[np.ndarray, str, tuple[int, int, int, int]]:
    country = country or rng.choice(sorted(EU_COUNTRIES))
    formats, bg, ink, right_band = EU_COUNTRIES[country]
    if country == "UK" and rng.random() < 0.5:
        bg = (245, 200, 30)  # rear plate
    w, h = EU_W, int(EU_H * rng.uniform(0.95, 1.1))
    img = Image.new("RGB", (w, h), _jitter(bg, rng, 8))
    d = ImageDraw.Draw(img)
    band_w = int(w * rng.uniform(0.08, 0.1))
    has_band = rng.random() < 0.9
    if has_band:
        _eu_band(d, 0, band_w, h, country, rng)
    right_w = 0
    if right_band and rng.random() < 0.85:
        right_w = band_w
        d.rectangle([w - right_w, 0, w, h], fill=_jitter((0, 51, 153), rng, 20))
        if rng.random() < 0.7:
            f = _font(rng.choice(WIDE_FONTS), int(h * 0.28))
            dd = fill_format("DD", rng)
            d.text((w - right_w + right_w * 0.12, h * 0.6), dd, font=f, fill=(250, 250, 250))
    if country == "A" and rng.random() < 0.8:  # red-white-red stripes
        d.rectangle([0, 0, w, int(h * 0.09)], fill=(200, 20, 30))
        d.rectangle([0, h - int(h * 0.09), w, h], fill=(200, 20, 30))
    serial = fill_format(rng.choice(formats), rng)
    left = (band_w if has_band else 0) + w * rng.uniform(0.02, 0.05)
    right = w - right_w - w * rng.uniform(0.02, 0.05)
    ch_h = h * rng.uniform(0.62, 0.72)
    box = _draw_serial(img, serial, rng, (left, (h - ch_h) / 2 + rng.uniform(-3, 3), right - left, ch_h), ink,
                       NARROW_FONTS if rng.random() < 0.85 else WIDE_FONTS)
    border = rng.random()
    if border < 0.6:
        d.rounded_rectangle([1, 1, w - 2, h - 2], radius=rng.randint(4, 12), outline=(20, 20, 20), width=rng.randint(2, 5))
    elif border < 0.75:  # dealer surround below the plate
        d.rectangle([0, h - int(h * 0.12), w, h], fill=_jitter((30, 30, 30), rng, 20))
    return np.asarray(img), _label(serial), box


def render_br_plate(rng: random.Random) -> tuple[np.ndarray, str, tuple[int, int, int, int]]:
    w, h = BR_W, BR_H
    fonts = NARROW_FONTS if rng.random() < 0.8 else WIDE_FONTS
    if rng.random() < 0.55:  # older grey plate, city on top
        img = Image.new("RGB", (w, h), _jitter((190, 192, 195), rng, 20))
        d = ImageDraw.Draw(img)
        ink = _jitter((25, 25, 25), rng, 10)
        city = rng.choice(BR_CITIES)
        f = _font(rng.choice(WIDE_FONTS), int(h * 0.14))
        tw = d.textlength(city, font=f)
        d.text(((w - tw) / 2, h * 0.04), city, font=f, fill=ink)
        serial = fill_format("LLL-DDDD", rng)
        ch_h = h * rng.uniform(0.56, 0.64)
        box = _draw_serial(img, serial, rng, (w * 0.05, h * 0.27, w * 0.9, ch_h), ink, fonts)
        if rng.random() < 0.8:
            for bx in (w * 0.12, w * 0.88):  # rivets
                d.ellipse([bx - 6, h * 0.1 - 6, bx + 6, h * 0.1 + 6], fill=(120, 120, 120))
    else:  # Mercosur: white, blue band on top
        img = Image.new("RGB", (w, h), _jitter((245, 245, 245), rng, 8))
        d = ImageDraw.Draw(img)
        band = int(h * 0.2)
        d.rectangle([0, 0, w, band], fill=_jitter((0, 60, 160), rng, 20))
        f = _font(rng.choice(WIDE_FONTS), int(band * 0.75))
        tw = d.textlength("BRASIL", font=f)
        d.text(((w - tw) / 2, band * 0.08), "BRASIL", font=f, fill=(250, 250, 250))
        ink = _jitter((20, 20, 20), rng, 10)
        serial = fill_format(rng.choice(["LLLDLDD", "LLLDLDD", "LLLDDDD"]), rng)
        ch_h = h * rng.uniform(0.55, 0.62)
        box = _draw_serial(img, serial, rng, (w * 0.06, band + h * 0.1, w * 0.88, ch_h), ink, fonts)
    d.rounded_rectangle([1, 1, w - 2, h - 2], radius=rng.randint(4, 12), outline=(30, 30, 30), width=rng.randint(2, 4))
    return np.asarray(img), _label(serial), box


def render_intl_plate(rng: random.Random) -> tuple[np.ndarray, str, tuple[int, int, int, int]]:
    """A frontal foreign plate (RGB), its label and the serial's box: 70 % European, 30 % Brazilian."""
    global last_text_box
    plate, label, box = render_eu_plate(rng) if rng.random() < 0.7 else render_br_plate(rng)
    last_text_box = box
    return plate, label, box


def sample(rng: random.Random, text_crop: float = 0.0, margins: tuple[float, float] = (0.1, 0.12)
           ) -> tuple[np.ndarray, str, str]:
    """One reader training sample: (RGB crop 64x128, plate text, "" = no US state)."""
    plate, label, box = render_intl_plate(rng)
    if text_crop and rng.random() < text_crop:
        return us_plate.augment_crop(plate, rng, text_box=box, margins=margins), label, ""
    return us_plate.augment_crop(plate, rng), label, ""


if __name__ == "__main__":
    import argparse

    import cv2

    ap = argparse.ArgumentParser(description="Render a grid of synthetic foreign plates and reader crops to look at")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tiles = []
    for i in range(16):
        plate, label, _ = render_intl_plate(rng)
        p = cv2.resize(plate, (256, int(256 * plate.shape[0] / plate.shape[1])))
        tile = np.full((128, 256, 3), 90, np.uint8)
        tile[:p.shape[0]] = p[:128]
        tiles.append(cv2.putText(tile[:, :, ::-1].copy(), label, (2, 124), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 255), 1))
        im, lab, _ = sample(rng, text_crop=0.5)
        tiles.append(cv2.resize(im, (256, 128))[:, :, ::-1].copy())
    rows = [np.hstack(tiles[i:i + 4]) for i in range(0, 32, 4)]
    cv2.imwrite(args.out, np.vstack(rows))
