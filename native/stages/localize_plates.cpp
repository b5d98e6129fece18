#include "localize_plates.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <opencv2/imgproc.hpp>

#include "../error.h"
#include "plate_geometry.h"

namespace platewatch {

namespace {

// cv::resize(src, dst, src.size() / k, 0, 0, INTER_AREA) for an 8-bit grey `src` whose sides are multiples
// of k >= 3, bit for bit (OpenCV's area-fast path: the k x k sum times 1.f / (k * k), rounded to nearest
// even), at a fraction of its cost: OpenCV vectorises only the 2x case, and its generic path took
// ~1 ms of CPU for the 3x shrink of a 1920x1080 frame.
// O3: GCC vectorises these loops only there (0.35 ms for 1080p -> 640x360, against 1.2 at O2).
__attribute__((optimize("O3"))) void shrink_box(const cv::Mat& src, int k, cv::Mat& dst, std::vector<uint16_t>& sums) {
  const int dw = src.cols / k, dh = src.rows / k, sw = dw * k;
  dst.create(dh, dw, CV_8UC1);
  sums.resize(static_cast<size_t>(sw));
  const float scale = 1.f / static_cast<float>(k * k);
  for (int y = 0; y < dh; ++y) {
    uint16_t* s = sums.data();
    const uchar* r0 = src.ptr<uchar>(y * k);
    for (int x = 0; x < sw; ++x) s[x] = r0[x];
    for (int r = 1; r < k; ++r) {
      const uchar* row = src.ptr<uchar>(y * k + r);
      for (int x = 0; x < sw; ++x) s[x] = static_cast<uint16_t>(s[x] + row[x]);
    }
    uchar* d = dst.ptr<uchar>(y);
    for (int x = 0; x < dw; ++x) {
      int sum = 0;
      for (int i = 0; i < k; ++i) sum += s[x * k + i];
      d[x] = cv::saturate_cast<uchar>(static_cast<float>(sum) * scale);
    }
  }
}

struct Detection {
  float score;
  std::array<cv::Point2f, 4> corners;
  cv::Rect2f box;
};

struct Peaks {
  float logit_thr;     // centre logit a peak needs
  float min_h, max_h;  // plate height range, full-resolution pixels
};

// The heatmap's 3x3 local maxima of `out` (1 x 9 x gh x gw, from an input shrunk by `scale`) as
// detections in frame coordinates, appended to `dets`; only plates at least `min_input_h` tall in the
// network's input.
void decode_peaks(const cv::Mat& out, float scale, float min_input_h, const Peaks& pk, std::vector<Detection>& dets) {
  constexpr int kStride = LocalizePlates::kStride;
  constexpr float kCornerUnit = LocalizePlates::kCornerUnit;
  const int gh = out.size[2], gw = out.size[3];
  const float* heat = out.ptr<float>(0, 0);
  const size_t plane = static_cast<size_t>(gh) * gw;
  for (int y = 0; y < gh; ++y) {
    for (int x = 0; x < gw; ++x) {
      const float v = heat[y * gw + x];
      if (v < pk.logit_thr) continue;
      bool peak = true;  // a 3x3 local maximum (the heatmap's own non-maximum suppression)
      for (int dy = -1; dy <= 1 && peak; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int yy = y + dy, xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < gh && xx >= 0 && xx < gw && heat[yy * gw + xx] > v) {
            peak = false;
            break;
          }
        }
      }
      if (!peak) continue;
      Detection d;
      d.score = 1.f / (1.f + std::exp(-v));
      const float cx = (x + 0.5f) * kStride, cy = (y + 0.5f) * kStride;
      for (int c = 0; c < 4; ++c) {
        const float ox = heat[(1 + 2 * c) * plane + y * gw + x], oy = heat[(2 + 2 * c) * plane + y * gw + x];
        d.corners[c] = cv::Point2f((cx + ox * kCornerUnit) * scale, (cy + oy * kCornerUnit) * scale);
      }
      const float h = quad_height(d.corners);  // full-resolution pixels
      if (h < pk.min_h || h > pk.max_h || h < min_input_h * scale) continue;
      d.box = quad_bounds(d.corners);
      dets.push_back(d);
    }
  }
}

}  // namespace

LocalizePlates::LocalizePlates(const RecognizerOptions& options) : options_(options) {
  if (options_.modelDir.empty())
    throw Error(codes::kModel, std::string("modelDir is not set: cannot find ") + kModelFile);
  const std::string path = options_.modelDir + "/" + kModelFile;
  if (!std::ifstream(path, std::ios::binary).good())
    throw Error(codes::kModel, "plate detector model not found: " + path);
  for (cv::dnn::Net* net : {&net_, &coarse_net_}) {
    try {
      *net = cv::dnn::readNetFromONNX(path);
    } catch (const cv::Exception& e) {
      throw Error(codes::kModel, "cannot load plate detector model " + path + ": " + e.msg);
    }
    if (net->empty()) throw Error(codes::kModel, "cannot load plate detector model " + path);
    net->setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net->setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  }
}

cv::Mat LocalizePlates::forward(cv::dnn::Net& net, const cv::Mat& img) {
  const int pw = (img.cols + 31) / 32 * 32, ph = (img.rows + 31) / 32 * 32;  // the net halves the size five times
  // Replicated padding: a zero border would be a strong edge the net never saw in training.
  cv::copyMakeBorder(img, input_, 0, ph - img.rows, 0, pw - img.cols, cv::BORDER_REPLICATE);
  const int blob_shape[4] = {1, 1, ph, pw};
  blob_.create(4, blob_shape, CV_32F);
  input_.convertTo(cv::Mat(ph, pw, CV_32F, blob_.ptr<float>()), CV_32F);
  net.setInput(blob_);
  return net.forward();
}

void LocalizePlates::run(FrameContext& ctx) {
  cv::Mat gray = ctx.gray;
  if (gray.empty() && !ctx.bgr.empty()) cv::cvtColor(ctx.bgr, gray, cv::COLOR_BGR2GRAY);
  if (gray.empty() || gray.cols < 16 || gray.rows < 16) return;

  // Exact integer downscale: INTER_AREA at an integer ratio is a cheap box filter (a non-integer
  // ratio costs ~4x more), and training saw frames shrunk the same way.
  const int k = std::max(1, (std::max(gray.cols, gray.rows) + options_.detectorMaxSide - 1) / options_.detectorMaxSide);
  const int sw = gray.cols / k, sh = gray.rows / k;
  if (sw < 8 || sh < 8) return;  // a sliver (e.g. 8000x20): nothing plate-shaped survives the shrink
  // Never keep a view of the frame in a member: on video the frame is a decoder buffer that goes back to
  // its pool after this call, and a later resize into that view would write into freed memory.
  // k >= 3 (1080p and up): the same box filter as INTER_AREA, bit for bit, without OpenCV's slow generic path.
  if (k >= 3 && k <= 64 && gray.type() == CV_8UC1)
    shrink_box(gray(cv::Rect(0, 0, sw * k, sh * k)), k, small_, column_sums_);
  else if (k > 1)
    cv::resize(gray(cv::Rect(0, 0, sw * k, sh * k)), small_, cv::Size(sw, sh), 0, 0, cv::INTER_AREA);
  const cv::Mat& small = k > 1 ? small_ : gray;

  // The gate: the same net on the image shrunk 2x more (2x INTER_AREA of the shrunk image = ratio 2k).
  const bool can_gate = std::min(sw, sh) / 2 >= kMinCoarseSide;
  cv::Mat coarse_out;
  auto coarse_pass = [&]() {
    cv::resize(small(cv::Rect(0, 0, sw / 2 * 2, sh / 2 * 2)), coarse_, cv::Size(sw / 2, sh / 2), 0, 0, cv::INTER_AREA);
    coarse_out = forward(coarse_net_, coarse_);
  };
  if (gate_skip_ > 0) {
    --gate_skip_;
  } else if (can_gate) {
    coarse_pass();
    const cv::Mat cheat(coarse_out.size[2], coarse_out.size[3], CV_32F,
                        const_cast<float*>(coarse_out.ptr<float>(0, 0)));
    double best = 0;
    // Only cells over the real image count, not those over the padding.
    cv::minMaxLoc(cheat(cv::Rect(0, 0, std::min(cheat.cols, (sw / 2 + kStride - 1) / kStride),
                                 std::min(cheat.rows, (sh / 2 + kStride - 1) / kStride))),
                  nullptr, &best);
    if (best < std::log(kCoarseGate / (1.f - kCoarseGate))) return;
    gate_skip_ = kGateBackoff;
  }

  const cv::Mat out = forward(net_, small);  // 1 x 9 x gh x gw

  // Proposals for RefinePlates: it keeps the mean of this score and its own, so a candidate below
  // 2 * detectorThreshold - 1 can never make it.
  const float thr =
      std::max(std::min(options_.detectorThreshold, kProposalScore), 2.f * options_.detectorThreshold - 1.f);
  Peaks peaks{std::log(thr / (1.f - thr)), static_cast<float>(options_.minPlateHeight),
              static_cast<float>(options_.maxPlateHeight)};
  std::vector<Detection> dets;
  decode_peaks(out, static_cast<float>(k), 0.f, peaks, dets);
  // A plate taller than the full pass was trained on (a close-up photo's, ~50-130 px in its input) can
  // leave it with nothing: the coarse pass, where such a plate is half as tall, proposes it then (the
  // gate's output when the gate ran, else a coarse pass of its own). Only when the full pass proposed
  // nothing, so a frame's result never depends on whether the gate ran for it.
  if (dets.empty() && can_gate) {
    if (coarse_out.empty()) coarse_pass();
    decode_peaks(coarse_out, 2.f * static_cast<float>(k), kCoarseMinPlate, peaks, dets);
  }
  if (dets.empty()) return;
  std::sort(dets.begin(), dets.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  const cv::Rect frame(0, 0, gray.cols, gray.rows);
  std::vector<Detection> kept;
  for (const auto& d : dets) {
    if (std::any_of(kept.begin(), kept.end(), [&](const Detection& o) { return iou(o.box, d.box) >= 0.3f; })) continue;
    kept.push_back(d);
    PlateCandidate cand;
    cand.box = pixel_box(d.corners, frame);
    if (cand.box.width < 2 || cand.box.height < 2) continue;
    cand.corners = d.corners;
    cand.score = d.score;
    ctx.candidates.push_back(cand);
  }
}

}  // namespace platewatch
