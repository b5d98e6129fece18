#include "rectify_plate.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace platewatch {

namespace {

float dist(const cv::Point2f& a, const cv::Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }

bool has_corners(const PlateCandidate& c) {
  return dist(c.corners[0], c.corners[2]) > 1.f && dist(c.corners[1], c.corners[3]) > 1.f;
}

}  // namespace

void RectifyPlate::run(FrameContext& ctx) {
  if (ctx.candidates.empty()) return;
  cv::Mat src = ctx.bgr;
  if (src.empty()) cv::cvtColor(ctx.gray, src, cv::COLOR_GRAY2BGR);  // grey frames: the reader takes 3 channels
  const cv::Rect frame(0, 0, src.cols, src.rows);
  for (auto& cand : ctx.candidates) {
    const auto& q = cand.corners;
    const bool axis_aligned =
        !has_corners(cand) || (q[0].x == q[3].x && q[1].x == q[2].x && q[0].y == q[1].y && q[2].y == q[3].y);
    if (axis_aligned) {
      const cv::Rect r = cand.box & frame;
      if (r.width < 2 || r.height < 2) continue;
      cand.plate = src(r);  // a view: no copy for upright boxes (and for whole-image crops)
      continue;
    }
    // Output at the plate's own resolution (longest opposite edges), capped: the reader downsizes anyway.
    const float w = std::max(dist(q[0], q[1]), dist(q[3], q[2]));
    const float h = std::max(dist(q[0], q[3]), dist(q[1], q[2]));
    const float scale = std::min(1.f, 256.f / std::max(1.f, w));
    const cv::Size out(std::max(2, static_cast<int>(std::lround(w * scale))),
                       std::max(2, static_cast<int>(std::lround(h * scale))));
    const cv::Point2f dst[4] = {{0, 0},
                                {static_cast<float>(out.width), 0},
                                {static_cast<float>(out.width), static_cast<float>(out.height)},
                                {0, static_cast<float>(out.height)}};
    const cv::Mat m = cv::getPerspectiveTransform(q.data(), dst);
    cv::warpPerspective(src, cand.plate, m, out, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
}

}  // namespace platewatch
