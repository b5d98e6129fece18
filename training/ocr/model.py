"""The plate reader network: an all-convolution trunk with two heads.

- text: CTC over the plate's width (LPRNet style, 2-D pooling only): STEPS columns, each a softmax
  over ALPHABET + blank (the last class). Weights are shared across positions, which learned far
  faster on 2 CPU cores than fixed character slots with a dense head (8 % vs 71 % synthetic
  exact match after 2000 vs 1000 steps);
- state: a softmax over the state codes (tools.synth.us_states.STATE_CODES).

Two sizes (`ARCHS`): v2, 1x3x48x96 input, 24 CTC columns (the session 3-4 models); v3, 1x3x64x128 (the
resolution the synthetic crops are rendered at, ~7 px more per character), 32 columns, one more conv block
and wider columns: about 2x the multiply-adds of v2. BGR scaled to 0..1. Only
Conv/BatchNorm/ReLU/MaxPool/Flatten/Gemm/Softmax, so OpenCV 4.6 dnn imports the opset-11 export.
"""
from __future__ import annotations

import torch
from torch import nn

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLANK = len(ALPHABET)
MAX_CHARS = 10
# arch -> (input height, input width); CTC columns = width / 4
ARCHS = {"v2": (48, 96), "v3": (64, 128)}
IN_H, IN_W = ARCHS["v2"]
STEPS = IN_W // 4


def cbr(cin: int, cout: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class PlateNet(nn.Module):
    def __init__(self, n_states: int, arch: str = "v2") -> None:
        super().__init__()
        self.arch = arch
        self.in_h, self.in_w = ARCHS[arch]
        self.steps = self.in_w // 4
        if arch == "v2":
            self.trunk = nn.Sequential(
                *cbr(3, 16, 2),  # 24x48
                *cbr(16, 32),
                nn.MaxPool2d(2),  # 12x24
                *cbr(32, 48),
                *cbr(48, 64),
                nn.MaxPool2d((2, 1)),  # 6x24
                *cbr(64, 96),
                nn.MaxPool2d((2, 1)),  # 3x24
            )
            feat, head = 96, 128
        else:
            self.trunk = nn.Sequential(
                *cbr(3, 16, 2),  # 32x64
                *cbr(16, 32),
                nn.MaxPool2d(2),  # 16x32
                *cbr(32, 64),
                *cbr(64, 64),
                nn.MaxPool2d((2, 1)),  # 8x32
                *cbr(64, 96),
                *cbr(96, 96),
                nn.MaxPool2d((2, 1)),  # 4x32
            )
            feat, head = 96, 160
        fh = self.in_h // 16
        self.text = nn.Sequential(
            nn.Conv2d(feat, head, (fh, 3), padding=(0, 1)),  # 1 x steps: each column sees the full height
            nn.ReLU(inplace=True),
            nn.Dropout(0.1),
            nn.Conv2d(head, BLANK + 1, 1),
        )
        self.state_reduce = nn.Sequential(nn.Conv2d(feat, 32, 1), nn.ReLU(inplace=True))
        self.state_fc = nn.Sequential(nn.Dropout(0.2), nn.Linear(32 * fh * self.steps, 128), nn.ReLU(inplace=True),
                                      nn.Linear(128, n_states))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Text logits [N, classes, 1, STEPS] and state logits [N, states]."""
        f = self.trunk(x)
        return self.text(f), self.state_fc(torch.flatten(self.state_reduce(f), 1))


class ExportWrapper(nn.Module):
    """Softmaxed outputs for inference: text [1, classes, 1, STEPS], state [1, n_states]."""

    def __init__(self, net: PlateNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        t, s = self.net(x)
        return torch.softmax(t, dim=1), torch.softmax(s, dim=1)


def encode(text: str) -> list[int]:
    return [ALPHABET.index(ch) for ch in text[:MAX_CHARS] if ch in ALPHABET]


def greedy_decode(logits: torch.Tensor) -> list[str]:
    """Best-path CTC decoding of [N, classes, 1, STEPS] logits."""
    best = logits[:, :, 0, :].argmax(1).numpy()
    out = []
    for row in best:
        prev, chars = BLANK, []
        for c in row:
            if c != prev and c != BLANK:
                chars.append(ALPHABET[c])
            prev = c
        out.append("".join(chars))
    return out
