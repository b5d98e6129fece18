#include "refine_plates.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "../error.h"
#include "localize_plates.h"
#include "plate_geometry.h"

namespace platewatch {

namespace {

constexpr float kMinPeakLogit = -4.6f;  // a window peak needs a score of at least ~0.01 to count

}  // namespace

RefinePlates::RefinePlates(const RecognizerOptions& options) : options_(options) {
  const std::string path = options_.modelDir + "/" + LocalizePlates::kModelFile;
  if (options_.modelDir.empty() || !std::ifstream(path, std::ios::binary).good())
    throw Error(codes::kModel, "plate detector model not found: " + path);
  try {
    net_ = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw Error(codes::kModel, "cannot load plate detector model " + path + ": " + e.msg);
  }
  if (net_.empty()) throw Error(codes::kModel, "cannot load plate detector model " + path);
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

bool RefinePlates::refine(const cv::Mat& gray, const std::array<cv::Point2f, 4>& q, float& score,
                          std::array<cv::Point2f, 4>& refined) {
  const cv::Point2f c = (q[0] + q[1] + q[2] + q[3]) * 0.25f;
  const float s = kTargetHeight / std::max(1.f, quad_height(q));  // frame px -> window px
  // The window in frame coordinates, and the part of it inside the frame.
  const float x0 = c.x - 0.5f * kWindowWidth / s, y0 = c.y - 0.5f * kWindowHeight / s;
  const cv::Rect roi = cv::Rect(cv::Point(static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0))),
                                cv::Point(static_cast<int>(std::ceil(x0 + kWindowWidth / s)),
                                          static_cast<int>(std::ceil(y0 + kWindowHeight / s)))) &
                       cv::Rect(0, 0, gray.cols, gray.rows);
  if (roi.width < 2 || roi.height < 2) return false;
  const int left = std::clamp(static_cast<int>(std::lround((roi.x - x0) * s)), 0, kWindowWidth - 1);
  const int top = std::clamp(static_cast<int>(std::lround((roi.y - y0) * s)), 0, kWindowHeight - 1);
  const int rw = std::clamp(static_cast<int>(std::lround(roi.width * s)), 1, kWindowWidth - left);
  const int rh = std::clamp(static_cast<int>(std::lround(roi.height * s)), 1, kWindowHeight - top);
  cv::resize(gray(roi), scaled_, cv::Size(rw, rh), 0, 0, s < 1.f ? cv::INTER_AREA : cv::INTER_LINEAR);
  // Replicated border where the window runs past the frame, as the whole-frame pass pads.
  cv::copyMakeBorder(scaled_, window_, top, kWindowHeight - top - rh, left, kWindowWidth - left - rw,
                     cv::BORDER_REPLICATE);
  const int shape[4] = {1, 1, kWindowHeight, kWindowWidth};
  blob_.create(4, shape, CV_32F);
  window_.convertTo(cv::Mat(kWindowHeight, kWindowWidth, CV_32F, blob_.ptr<float>()), CV_32F);
  net_.setInput(blob_);
  const cv::Mat out = net_.forward();  // 1 x 9 x 12 x 24
  const int gh = out.size[2], gw = out.size[3];
  const size_t plane = static_cast<size_t>(gh) * gw;
  const float* heat = out.ptr<float>(0, 0);
  // The window's plate: the heatmap peak whose plate centre is nearest the window's centre.
  const cv::Point2f mid(0.5f * kWindowWidth, 0.5f * kWindowHeight);
  float best_d = 1e9f;
  bool found = false;
  for (int y = 0; y < gh; ++y) {
    for (int x = 0; x < gw; ++x) {
      const float v = heat[y * gw + x];
      bool peak = true;
      for (int dy = -1; dy <= 1 && peak; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int yy = y + dy, xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < gh && xx >= 0 && xx < gw && heat[yy * gw + xx] > v) {
            peak = false;
            break;
          }
        }
      if (!peak || v < kMinPeakLogit) continue;
      // Corners: the score-weighted mean of the 3x3 cells around the peak (steadier than one cell's).
      std::array<cv::Point2f, 4> w{};
      float wsum = 0.f;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= gh || xx < 0 || xx >= gw) continue;
          const float p = 1.f / (1.f + std::exp(-heat[yy * gw + xx]));
          const float cx = (xx + 0.5f) * LocalizePlates::kStride, cy = (yy + 0.5f) * LocalizePlates::kStride;
          for (int k = 0; k < 4; ++k)
            w[k] += p * cv::Point2f(cx + heat[(1 + 2 * k) * plane + yy * gw + xx] * LocalizePlates::kCornerUnit,
                                    cy + heat[(2 + 2 * k) * plane + yy * gw + xx] * LocalizePlates::kCornerUnit);
          wsum += p;
        }
      for (auto& c : w) c /= wsum;
      const float d = static_cast<float>(cv::norm((w[0] + w[1] + w[2] + w[3]) * 0.25f - mid));
      if (d >= best_d) continue;
      best_d = d;
      found = true;
      score = 1.f / (1.f + std::exp(-v));
      // Window px -> frame px.
      const float sx = static_cast<float>(rw) / roi.width, sy = static_cast<float>(rh) / roi.height;
      for (int k = 0; k < 4; ++k) refined[k] = cv::Point2f(roi.x + (w[k].x - left) / sx, roi.y + (w[k].y - top) / sy);
    }
  }
  return found;
}

void RefinePlates::run(FrameContext& ctx) {
  if (ctx.candidates.empty()) return;
  cv::Mat gray = ctx.gray;
  if (gray.empty() && !ctx.bgr.empty()) cv::cvtColor(ctx.bgr, gray, cv::COLOR_BGR2GRAY);
  if (gray.empty()) return;
  const cv::Rect frame(0, 0, gray.cols, gray.rows);
  std::vector<PlateCandidate> in = std::move(ctx.candidates);
  ctx.candidates.clear();
  const auto by_score = [](const PlateCandidate& a, const PlateCandidate& b) { return a.score > b.score; };
  std::stable_sort(in.begin(), in.end(), by_score);
  std::vector<PlateCandidate> passed;
  for (size_t i = 0; i < in.size(); ++i) {
    PlateCandidate& cand = in[i];
    float window_score = 0.f;
    std::array<cv::Point2f, 4> q{};
    // Beyond kMaxRefined, or when the window pass finds nothing, only the whole-frame score counts (halved).
    if (cand.score >= kSureScore) {  // already sure: keep the whole-frame pass's score and corners
      window_score = cand.score;
      q = cand.corners;
    } else if (i >= static_cast<size_t>(kMaxRefined) || !refine(gray, cand.corners, window_score, q)) {
      window_score = 0.f;
      q = cand.corners;
    }
    // Kept when the window pass itself reaches the threshold (it confirms the plate) and so does the mean.
    // ... unless the whole-frame pass was fairly sure already (kConfirmedScore).
    const bool confirmed = window_score >= options_.detectorThreshold || cand.score >= kConfirmedScore;
    cand.score = 0.5f * (cand.score + window_score);
    if (cand.score < options_.detectorThreshold || !confirmed) {
      ctx.rejections.push_back({cand.box, name(), "score " + std::to_string(cand.score) + " after the window pass"});
      continue;
    }
    const float h = quad_height(q);
    if (h < options_.minPlateHeight || h > options_.maxPlateHeight) {
      ctx.rejections.push_back({cand.box, name(), "plate height " + std::to_string(h) + " px out of range"});
      continue;
    }
    cand.corners = q;
    cand.box = pixel_box(q, frame);
    if (cand.box.width >= 2 && cand.box.height >= 2) passed.push_back(std::move(cand));
  }
  // Non-maximum suppression again: two proposals can converge on the same plate. Best first after
  // re-scoring (the reader and the reads keep this order).
  std::stable_sort(passed.begin(), passed.end(), by_score);
  for (auto& cand : passed) {
    if (std::any_of(ctx.candidates.begin(), ctx.candidates.end(),
                    [&](const PlateCandidate& o) { return iou(o.box, cand.box) >= 0.3f; }))
      continue;
    ctx.candidates.push_back(std::move(cand));
  }
}

}  // namespace platewatch
