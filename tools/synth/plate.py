"""Renders synthetic US-style licence plates.

The shared base for test fixtures, sample footage and training data: one function,
render_plate(), returns a frontal BGR plate image. Only Debian-packaged dependencies
(python3-numpy, python3-pil, fonts-dejavu-core) so the test command can use it.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"

STATE_NAMES = {
    "ca": "California", "tx": "TEXAS", "ny": "NEW YORK", "fl": "Florida", "il": "Illinois",
    "pa": "PENNSYLVANIA", "oh": "OHIO", "ga": "GEORGIA", "nc": "NORTH CAROLINA", "mi": "Michigan",
    "nj": "NEW JERSEY", "va": "VIRGINIA", "wa": "WASHINGTON", "az": "ARIZONA", "ma": "Massachusetts",
    "co": "COLORADO", "md": "MARYLAND", "mn": "MINNESOTA", "or": "OREGON", "nv": "NEVADA",
}


@dataclass
class PlateStyle:
    background: tuple[int, int, int] = (245, 245, 240)  # RGB
    ink: tuple[int, int, int] = (20, 30, 110)
    header_ink: tuple[int, int, int] = (170, 20, 20)
    font: str = "DejaVuSansCondensed-Bold.ttf"
    border: bool = True


def random_style(rng: random.Random) -> PlateStyle:
    light = rng.randint(215, 255)
    bg = tuple(min(255, max(0, light + rng.randint(-15, 15))) for _ in range(3))
    ink = rng.choice([(15, 15, 15), (20, 30, 110), (120, 10, 10), (10, 70, 30)])
    header = rng.choice([(170, 20, 20), (20, 30, 110), (15, 15, 15)])
    font = rng.choice(["DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf"])
    return PlateStyle(bg, ink, header, font, rng.random() < 0.7)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(os.path.join(FONT_DIR, name), size)


def render_plate(text: str, state: str = "ca", style: PlateStyle | None = None,
                 width: int = 300, height: int = 150) -> np.ndarray:
    """A frontal plate (12 x 6 in proportions) as a BGR uint8 array of shape (height, width, 3)."""
    style = style or PlateStyle()
    img = Image.new("RGB", (width, height), style.background)
    draw = ImageDraw.Draw(img)
    if style.border:
        draw.rounded_rectangle([2, 2, width - 3, height - 3], radius=height // 12, outline=style.ink, width=3)
    header = STATE_NAMES.get(state.lower(), state.upper())
    hfont = _font("DejaVuSans-Bold.ttf", int(height * 0.16))
    hw = draw.textlength(header, font=hfont)
    draw.text(((width - hw) / 2, height * 0.05), header, font=hfont, fill=style.header_ink)
    # Characters fill ~55 % of the plate height, squeezed horizontally when the text is long.
    size = int(height * 0.55)
    cfont = _font(style.font, size)
    tw = draw.textlength(text, font=cfont)
    max_w = width * 0.88
    glyphs = Image.new("RGBA", (int(max(tw, 1)) + 4, int(size * 1.3)), (0, 0, 0, 0))
    ImageDraw.Draw(glyphs).text((2, 0), text, font=cfont, fill=style.ink + (255,))
    bbox = glyphs.getbbox() or (0, 0, 1, 1)
    glyphs = glyphs.crop(bbox)
    gw = min(glyphs.width, int(max_w))
    gh = int(height * 0.5)
    glyphs = glyphs.resize((gw, gh), Image.LANCZOS)
    img.paste(glyphs, (int((width - gw) / 2), int(height * 0.3)), glyphs)
    return np.asarray(img)[:, :, ::-1].copy()


if __name__ == "__main__":
    import argparse

    import cv2

    ap = argparse.ArgumentParser(description="Render one synthetic plate to an image file")
    ap.add_argument("text")
    ap.add_argument("out")
    ap.add_argument("--state", default="ca")
    args = ap.parse_args()
    cv2.imwrite(args.out, render_plate(args.text, args.state))
