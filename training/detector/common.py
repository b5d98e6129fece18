"""Shared by training and evaluation: the downscale rule, targets and decoding. The decoding and
the downscale rule mirror native/stages/localize_plates.cpp; keep them in sync."""
import math

import cv2
import numpy as np

from model import CORNER_UNIT, STRIDE

PROPOSAL_SCORE = 0.3  # LocalizePlates::kProposalScore
WINDOW_W, WINDOW_H, TARGET_H, MAX_REFINED, SURE_SCORE = 192, 96, 32.0, 6, 0.9  # RefinePlates constants
CONFIRMED_SCORE = 0.6  # RefinePlates::kConfirmedScore
MAX_INPUT_SIDE = 640  # detectorMaxSide: the network sees the frame downscaled by k = ceil(max(w, h) / 640)


def downscale_ratio(w, h, max_side=MAX_INPUT_SIDE):
    return max(1, math.ceil(max(w, h) / max_side))


def prepare(gray, max_side=MAX_INPUT_SIDE):
    """Grey frame -> (network input padded to a multiple of 32, k)."""
    h, w = gray.shape[:2]
    k = downscale_ratio(w, h, max_side)
    sw, sh = w // k, h // k
    small = gray[: sh * k, : sw * k]
    if k > 1:
        small = cv2.resize(small, (sw, sh), interpolation=cv2.INTER_AREA)
    ph, pw = (sh + 31) // 32 * 32, (sw + 31) // 32 * 32
    inp = np.zeros((ph, pw), np.uint8)
    inp[:sh, :sw] = small
    # replicate the last row/column into the padding so the border is not a strong edge
    if ph > sh:
        inp[sh:, :sw] = small[-1:, :]
    if pw > sw:
        inp[:, sw:] = inp[:, sw - 1:sw]
    return inp, k


COARSE_MIN_PLATE = 20.0  # LocalizePlates::kCoarseMinPlate


def coarse_out(net, inp, sw, sh):
    """The net's raw output on the shrunk frame (sw x sh at the top-left of inp) shrunk 2x more, with the
    coarse input's size; None when the frame is too small for it (LocalizePlates::kMinCoarseSide)."""
    if min(sw, sh) // 2 < 64:
        return None
    small = inp[: sh // 2 * 2, : sw // 2 * 2]
    c = cv2.resize(small, (sw // 2, sh // 2), interpolation=cv2.INTER_AREA)
    ch, cw = c.shape
    ph, pw = (ch + 31) // 32 * 32, (cw + 31) // 32 * 32
    x = np.zeros((ph, pw), np.uint8)
    x[:ch, :cw] = c
    x[ch:, :cw] = c[-1:, :]
    x[:, cw:] = x[:, cw - 1:cw]
    net.setInput(x[None, None].astype(np.float32))
    return net.forward(), ch, cw


def coarse_proposals(net, inp, sw, sh, thr):
    """The native fallback when the full pass proposes nothing: the coarse pass's plates at least
    COARSE_MIN_PLATE tall in its input, corners in the shrunk frame's pixels (x2)."""
    res = coarse_out(net, inp, sw, sh)
    if res is None:
        return []
    return [(s, q * 2) for s, q in decode(res[0], thr) if plate_height(q) >= COARSE_MIN_PLATE]


def coarse_max(net, inp, sw, sh):
    """The native gate: the highest plate-centre probability of the coarse pass over the real image, or
    None when the frame is too small to gate (LocalizePlates::kMinCoarseSide)."""
    res = coarse_out(net, inp, sw, sh)
    if res is None:
        return None
    out, ch, cw = res
    logit = out[0, 0, : (ch + STRIDE - 1) // STRIDE, : (cw + STRIDE - 1) // STRIDE]
    return float(1.0 / (1.0 + np.exp(-logit.max())))


def make_targets(quads_list, gh, gw):
    """quads_list: per image a list of (4,2) corner arrays in input pixels.
    Returns heat (B,1,gh,gw), reg (B,8,gh,gw), regw (B,1,gh,gw)."""
    b = len(quads_list)
    heat = np.zeros((b, 1, gh, gw), np.float32)
    reg = np.zeros((b, 8, gh, gw), np.float32)
    regw = np.zeros((b, 1, gh, gw), np.float32)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    cxs, cys = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
    for i, quads in enumerate(quads_list):
        for q in quads:
            c = q.mean(0)
            w = q[:, 0].max() - q[:, 0].min()
            h = q[:, 1].max() - q[:, 1].min()
            sx = max(0.6, w / STRIDE / 5.0)
            sy = max(0.6, h / STRIDE / 5.0)
            gx, gy = c[0] / STRIDE - 0.5, c[1] / STRIDE - 0.5
            g = np.exp(-((xs - gx) ** 2) / (2 * sx * sx) - ((ys - gy) ** 2) / (2 * sy * sy))
            ix, iy = int(round(gx)), int(round(gy))
            if 0 <= ix < gw and 0 <= iy < gh:
                g[iy, ix] = 1.0
            heat[i, 0] = np.maximum(heat[i, 0], g)
            m = (g > 0.4) & (g >= regw[i, 0])
            if not m.any():
                continue
            regw[i, 0][m] = g[m]
            for j in range(4):
                reg[i, 2 * j][m] = (q[j, 0] - cxs[m]) / CORNER_UNIT
                reg[i, 2 * j + 1][m] = (q[j, 1] - cys[m]) / CORNER_UNIT
    return heat, reg, regw


def decode(out, score_thr=0.5, nms_iou=0.3):
    """out: (1,9,gh,gw) raw network output -> list of (score, corners (4,2) in input pixels)."""
    logit = out[0, 0]
    prob = 1.0 / (1.0 + np.exp(-logit))
    mx = cv2.dilate(prob, np.ones((3, 3), np.uint8))
    ys, xs = np.where((prob >= score_thr) & (prob >= mx))
    dets = []
    for y, x in zip(ys, xs):
        cx, cy = (x + 0.5) * STRIDE, (y + 0.5) * STRIDE
        q = out[0, 1:9, y, x].reshape(4, 2) * CORNER_UNIT + [cx, cy]
        dets.append((float(prob[y, x]), q.astype(np.float32)))
    dets.sort(key=lambda d: -d[0])
    keep = []
    for s, q in dets:
        b = box_of(q)
        if all(iou(b, box_of(k[1])) < nms_iou for k in keep):
            keep.append((s, q))
    return keep


def box_of(q):
    x0, y0 = q.min(0)
    x1, y1 = q.max(0)
    return (float(x0), float(y0), float(x1 - x0), float(y1 - y0))


def iou(a, b):
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    u = a[2] * a[3] + b[2] * b[3] - inter
    return inter / u if u > 0 else 0.0


def plate_height(q):
    return 0.5 * (float(np.linalg.norm(q[3] - q[0])) + float(np.linalg.norm(q[2] - q[1])))


def refine_window(net, gray, q):
    """native/stages/refine_plates.cpp RefinePlates::refine: the net on a WINDOW_W x WINDOW_H window of
    the full-resolution frame around quad q, scaled so the plate is TARGET_H px tall. Returns
    (score of the peak nearest the window centre, its corners in frame px), or (0, None)."""
    c = q.mean(0)
    s = TARGET_H / max(1.0, plate_height(q))
    x0, y0 = c[0] - 0.5 * WINDOW_W / s, c[1] - 0.5 * WINDOW_H / s
    H, W = gray.shape[:2]
    rx0, ry0 = max(0, math.floor(x0)), max(0, math.floor(y0))
    rx1, ry1 = min(W, math.ceil(x0 + WINDOW_W / s)), min(H, math.ceil(y0 + WINDOW_H / s))
    if rx1 - rx0 < 2 or ry1 - ry0 < 2:
        return 0.0, None
    rw0, rh0 = rx1 - rx0, ry1 - ry0
    left = min(max(int(round((rx0 - x0) * s)), 0), WINDOW_W - 1)
    top = min(max(int(round((ry0 - y0) * s)), 0), WINDOW_H - 1)
    rw = min(max(int(round(rw0 * s)), 1), WINDOW_W - left)
    rh = min(max(int(round(rh0 * s)), 1), WINDOW_H - top)
    scaled = cv2.resize(gray[ry0:ry1, rx0:rx1], (rw, rh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    win = cv2.copyMakeBorder(scaled, top, WINDOW_H - top - rh, left, WINDOW_W - left - rw, cv2.BORDER_REPLICATE)
    net.setInput(win[None, None].astype(np.float32))
    out = net.forward()
    logit = out[0, 0]
    mx = cv2.dilate(logit, np.ones((3, 3), np.uint8))
    best, best_d = (0.0, None), 1e9
    gh, gw = logit.shape
    prob = 1.0 / (1.0 + np.exp(-logit))
    for y, x in zip(*np.where((logit >= mx) & (logit >= -4.6))):
        # corners: the score-weighted mean over the 3x3 cells around the peak
        w, wsum = np.zeros((4, 2)), 0.0
        for yy in range(max(0, y - 1), min(gh, y + 2)):
            for xx in range(max(0, x - 1), min(gw, x + 2)):
                w += prob[yy, xx] * (out[0, 1:9, yy, xx].reshape(4, 2) * CORNER_UNIT + [(xx + 0.5) * STRIDE, (yy + 0.5) * STRIDE])
                wsum += prob[yy, xx]
        w /= wsum
        d = float(np.linalg.norm(w.mean(0) - [WINDOW_W / 2, WINDOW_H / 2]))
        if d < best_d:
            best_d = d
            sx, sy = rw / rw0, rh / rh0
            qf = np.stack([rx0 + (w[:, 0] - left) / sx, ry0 + (w[:, 1] - top) / sy], 1)
            best = (float(1.0 / (1.0 + math.exp(-logit[y, x]))), qf.astype(np.float32))
    return best


def refine(net, gray, dets, score_thr, nms_iou=0.3):
    """RefinePlates::run over whole-frame detections [(score, quad in frame px)] (best first, down to
    the proposal score): those scoring SURE_SCORE or more are kept as they are; the others get score =
    mean of the two passes' scores, corners from the window pass, kept when both that and the window's score reach
    score_thr, then non-maximum suppression again. Returns [(score, quad)] best first."""
    passed = []
    for i, (s0, q) in enumerate(sorted(dets, key=lambda d: -d[0])):
        if s0 >= SURE_SCORE:
            passed.append((s0, q))
            continue
        ws, wq = refine_window(net, gray, q) if i < MAX_REFINED else (0.0, None)
        if wq is None:
            ws, wq = 0.0, q
        s = 0.5 * (s0 + ws)
        if s >= score_thr and (ws >= score_thr or s0 >= CONFIRMED_SCORE):
            passed.append((s, wq))
    passed.sort(key=lambda d: -d[0])
    keep = []
    for s, q in passed:
        if all(iou(box_of(q), box_of(k[1])) < nms_iou for k in keep):
            keep.append((s, q))
    return keep
