"""Tiny anchor-free plate detector (YuNet style): stride-8 centre heatmap + 4 plate corners.

Input: one grey channel, the frame downscaled by an integer ratio (INTER_AREA), values 0..255
(normalised inside the net). Output: one tensor (1, 9, H/8, W/8): channel 0 = centre logit,
channels 1..8 = corner offsets (x0,y0,..,x3,y3, clockwise from top-left) from the cell centre,
in units of CORNER_UNIT input pixels.
"""
import torch
import torch.nn as nn

STRIDE = 8
CORNER_UNIT = 16.0


def cbr(i, o, s=1, k=3, g=1):
    # No BatchNorm: on this CPU-only trainer the BN passes cost more than the convolutions.
    return nn.Sequential(nn.Conv2d(i, o, k, s, k // 2, groups=g, bias=True), nn.ReLU(inplace=True))


class dw(nn.Module):
    """Depthwise 3x3 + pointwise 1x1, residual when the shape is kept."""

    def __init__(self, i, o, s=1):
        super().__init__()
        self.body = nn.Sequential(cbr(i, i, s, 3, i), cbr(i, o, 1, 1))
        self.res = i == o and s == 1

    def forward(self, x):
        y = self.body(x)
        return x + y if self.res else y


class PlateDetector(nn.Module):
    """v2 (session 3): a slim front (8 channels at stride 2, one depthwise block to stride 4) and two
    blocks at stride 8 instead of three (one in the top-down path instead of two). In OpenCV dnn on
    one core it costs at 640x384 about what v1 cost at 448x256, so the frame can be looked at with
    detectorMaxSide 640 (1280x720 -> 640x360) for the time 480 took. v1 (60 k parameters): git
    history before this change."""

    def __init__(self, w=(8, 32, 48, 64, 96)):
        super().__init__()
        c1, c2, c3, c4, c5 = w
        self.stem = cbr(1, c1, 2)
        self.s4 = dw(c1, c2, 2)
        self.s8 = nn.Sequential(dw(c2, c3, 2), dw(c3, c3))
        self.s16 = nn.Sequential(dw(c3, c4, 2), dw(c4, c4), dw(c4, c4))
        self.s32 = nn.Sequential(dw(c4, c5, 2), dw(c5, c5))
        self.lat32 = cbr(c5, c4, 1, 1)
        self.f16 = dw(c4, c4)
        self.lat16 = cbr(c4, c3, 1, 1)
        self.f8 = dw(c3, c3)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.head = nn.Conv2d(c3, 9, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
        with torch.no_grad():
            self.head.weight.mul_(0.1)
            self.head.bias[0] = -4.0

    def forward(self, x):
        x = (x - 128.0) / 64.0
        x = self.stem(x)
        x = self.s4(x)
        p8 = self.s8(x)
        p16 = self.s16(p8)
        p32 = self.s32(p16)
        f16 = self.f16(p16 + self.up(self.lat32(p32)))
        f8 = self.f8(p8 + self.up(self.lat16(f16)))
        return self.head(f8)


def export_onnx(model, path, h, w):
    import onnx

    model.eval()
    dummy = torch.zeros(1, 1, h, w)
    torch.onnx.export(model, dummy, path, opset_version=11, input_names=["image"], output_names=["out"],
                      do_constant_folding=True)
    m = onnx.load(path)
    g = m.graph
    # OpenCV 4.6 refuses Identity nodes: rewire their consumers to their inputs.
    ids = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity"}
    keep = [n for n in g.node if n.op_type != "Identity"]
    for n in keep:
        for i, name in enumerate(n.input):
            while name in ids:
                name = ids[name]
            n.input[i] = name
    for o in g.output:
        if o.name in ids:
            raise RuntimeError("graph output is an Identity")
    del g.node[:]
    g.node.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, path)
