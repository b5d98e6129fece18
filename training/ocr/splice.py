"""Spliced real crops (train.py --splice-weight): new plates made of the left part of one real training
crop and the right part of another, cut between two characters, so the reader sees the real glyphs, fonts
and backgrounds of the dev crops in character sequences it has not seen (with ~300 real crops per fold it
otherwise learns those sequences by heart: 97-98 % in-sample against ~90 % held out).

Where to cut comes from the model being fine-tuned: its best CTC path over a training crop gives each
character's columns (only crops it reads exactly are used, and only training crops: a held-out fold is
never looked at). Crops of the same state are preferred as partners (same plate design).
"""
from __future__ import annotations

import random

import cv2
import numpy as np
import torch

from training.ocr.model import BLANK, greedy_decode


def char_columns(logits: torch.Tensor) -> list[list[tuple[int, int]]]:
    """Per crop of a batch of text logits [N, classes, 1, steps]: each emitted character's first and last
    column on the best path."""
    best = logits[:, :, 0, :].argmax(1).numpy()
    out = []
    for row in best:
        spans: list[tuple[int, int]] = []
        prev = BLANK
        for t, c in enumerate(row):
            if c != BLANK:
                if c != prev:
                    spans.append((t, t))
                else:
                    spans[-1] = (spans[-1][0], t)
            prev = c
        out.append(spans)
    return out


class Splicer:
    """Splices prepared (in_h x in_w) real training crops. items: (image in_h x in_w, text, state, spans)."""

    def __init__(self, items: list[tuple[np.ndarray, str, str, list[tuple[int, int]]]], in_w: int, steps: int):
        self.items = items
        self.col = in_w / steps  # input pixels per CTC column
        self.by_state: dict[str, list[int]] = {}
        for i, it in enumerate(items):
            self.by_state.setdefault(it[2], []).append(i)

    def _cut(self, spans: list[tuple[int, int]], i: int) -> int:
        """x (input px) between character i and i + 1."""
        return int(round((spans[i][1] + 1 + spans[i + 1][0]) * 0.5 * self.col))

    def sample(self, rng: random.Random) -> tuple[np.ndarray, str, str]:
        """A spliced crop (in_h x in_w), its text, and its state ("" when the halves' states differ)."""
        a = self.items[rng.randrange(len(self.items))]
        same = [j for j in self.by_state[a[2]] if self.items[j][1] != a[1]]
        b = self.items[rng.choice(same)] if same and rng.random() < 0.7 else self.items[rng.randrange(len(self.items))]
        for _ in range(10):
            i = rng.randrange(len(a[1]) - 1)  # a keeps characters 0..i
            j = rng.randrange(len(b[1]) - 1)  # b gives characters j+1..
            text = a[1][: i + 1] + b[1][j + 1:]
            if 4 <= len(text) <= 8:
                break
        else:
            return a[0], a[1], a[2]
        xa, xb = self._cut(a[3], i), self._cut(b[3], j)
        h, w = a[0].shape[:2]
        joined = np.concatenate([a[0][:, :xa], b[0][:, xb:]], axis=1)
        out = cv2.resize(joined, (w, h), interpolation=cv2.INTER_AREA if joined.shape[1] > w else cv2.INTER_LINEAR)
        return out, text, a[2] if a[2] == b[2] else ""


def build_splicer(net, real_train, prep, to_tensor, in_w: int, steps: int) -> Splicer:
    """Aligns the real training crops with `net` and keeps those it reads exactly (at least 3 characters)."""
    ims = np.stack([prep(r[0]) for r in real_train])
    net.eval()
    with torch.no_grad():
        logits = torch.cat([net(to_tensor(ims[k:k + 64]))[0] for k in range(0, len(ims), 64)])
    net.train()
    items = []
    for im, r, spans, read in zip(ims, real_train, char_columns(logits), greedy_decode(logits)):
        if read == r[1] and len(spans) == len(r[1]) >= 3:
            items.append((im, r[1], r[2], spans))
    return Splicer(items, in_w, steps)
