"""The plate reader network: an all-convolution trunk with two heads.

- text: SLOTS fixed character slots (fast-plate-ocr style), each a softmax over ALPHABET + pad '_'
  (text is left-aligned, unused slots are pad);
- state: a softmax over the state codes (tools.synth.us_states.STATE_CODES).

Input: 1x3x48x96 BGR scaled to 0..1. Only Conv/BatchNorm/ReLU/MaxPool/Flatten/Linear/Softmax,
so OpenCV 4.6 dnn imports the opset-11 export.
"""
from __future__ import annotations

import torch
from torch import nn

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAD = "_"
SLOTS = 10
IN_H, IN_W = 48, 96


def cbr(cin: int, cout: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class PlateNet(nn.Module):
    def __init__(self, n_states: int, width: float = 1.0) -> None:
        super().__init__()
        c = [int(v * width) for v in (16, 24, 48, 64, 96)]
        self.trunk = nn.Sequential(
            *cbr(3, c[0], 2),  # 24x48
            *cbr(c[0], c[1]),
            nn.MaxPool2d(2),  # 12x24
            *cbr(c[1], c[2]),
            nn.MaxPool2d(2),  # 6x12
            *cbr(c[2], c[3]),
            *cbr(c[3], c[3]),
            nn.MaxPool2d(2),  # 3x6
            *cbr(c[3], c[4]),
        )
        feat = c[4] * (IN_H // 16) * (IN_W // 16)
        self.text_reduce = nn.Sequential(nn.Conv2d(c[4], 64, 1), nn.ReLU(inplace=True))
        self.text_fc = nn.Linear(64 * (IN_H // 16) * (IN_W // 16), SLOTS * (len(ALPHABET) + 1))
        self.state_reduce = nn.Sequential(nn.Conv2d(c[4], 32, 1), nn.ReLU(inplace=True))
        self.state_fc = nn.Sequential(nn.Linear(32 * (IN_H // 16) * (IN_W // 16), 128), nn.ReLU(inplace=True), nn.Linear(128, n_states))
        self.drop = nn.Dropout(0.2)
        self.n_states = n_states
        _ = feat

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.trunk(x)
        t = self.text_fc(self.drop(torch.flatten(self.text_reduce(f), 1)))
        s = self.state_fc(self.drop(torch.flatten(self.state_reduce(f), 1)))
        return t.view(-1, SLOTS, len(ALPHABET) + 1), s


class ExportWrapper(nn.Module):
    """Softmaxed outputs for inference: text [1, SLOTS, 37], state [1, n_states]."""

    def __init__(self, net: PlateNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        t, s = self.net(x)
        return torch.softmax(t, dim=2), torch.softmax(s, dim=1)


def encode(text: str) -> list[int]:
    ids = [ALPHABET.index(ch) for ch in text[:SLOTS] if ch in ALPHABET]
    return ids + [len(ALPHABET)] * (SLOTS - len(ids))
