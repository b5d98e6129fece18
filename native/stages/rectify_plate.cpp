#include "rectify_plate.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace platewatch {

namespace {

float dist(const cv::Point2f& a, const cv::Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }

bool has_corners(const PlateCandidate& c) {
  return dist(c.corners[0], c.corners[2]) > 1.f && dist(c.corners[1], c.corners[3]) > 1.f;
}

// The BGR pixels of rectangle r (frame coordinates): a view of the colour frame when there is one, the
// capture's colour crop of the decoded planes on video (only plates are converted, never whole frames),
// else the grey pixels as three channels (the reader takes 3 channels).
cv::Mat bgr_pixels(const FrameContext& ctx, const cv::Rect& r) {
  if (!ctx.bgr.empty()) return ctx.bgr(r);
  if (ctx.bgr_region) {
    cv::Mat region = ctx.bgr_region(r);
    if (region.size() == r.size()) return region;
  }
  cv::Mat out;
  cv::cvtColor(ctx.gray(r), out, cv::COLOR_GRAY2BGR);
  return out;
}

// Grows a TL,TR,BR,BL quad by fractions of its width (left, right) and of its height (top, bottom) along the
// quad's own axes; negative fractions cut (training/ocr/scene_crops.py expand_quad does the symmetric case).
std::array<cv::Point2f, 4> expand(const std::array<cv::Point2f, 4>& q, const Margins& m) {
  const cv::Point2f u = ((q[1] - q[0]) + (q[2] - q[3])) * 0.5f;
  const cv::Point2f v = ((q[3] - q[0]) + (q[2] - q[1])) * 0.5f;
  return {q[0] - m.left * u - m.top * v, q[1] + m.right * u - m.top * v, q[2] + m.right * u + m.bottom * v,
          q[3] - m.left * u + m.bottom * v};
}

std::array<cv::Point2f, 4> box_corners(const cv::Rect& b) {
  const cv::Point2f tl(static_cast<float>(b.x), static_cast<float>(b.y));
  const cv::Point2f br(static_cast<float>(b.x + b.width), static_cast<float>(b.y + b.height));
  return {tl, cv::Point2f(br.x, tl.y), br, cv::Point2f(tl.x, br.y)};
}

}  // namespace

RectifyPlate::RectifyPlate(const RecognizerOptions& options, const PlateModelInfo& reader) {
  if (options.wholeImageIsPlate) return;
  margin_x_ = reader.rectify_margin_x;
  margin_y_ = reader.rectify_margin_y;
}

cv::Mat warp_plate(const FrameContext& ctx, const PlateCandidate& cand, const Margins& margins) {
  const cv::Rect frame(0, 0, ctx.gray.cols, ctx.gray.rows);
  auto q = expand(has_corners(cand) ? cand.corners : box_corners(cand.box), margins);
  cv::Rect around = cv::boundingRect(std::vector<cv::Point2f>(q.begin(), q.end())) | cand.box;
  around = cv::Rect(around.x - 2, around.y - 2, around.width + 4, around.height + 4) & frame;
  if (around.width < 2 || around.height < 2) return {};
  const cv::Mat src = bgr_pixels(ctx, around);
  const cv::Point2f offset(static_cast<float>(around.x), static_cast<float>(around.y));
  for (auto& p : q) p -= offset;
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
  cv::Mat plate;
  cv::warpPerspective(src, plate, m, out, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return plate;
}

void RectifyPlate::run(FrameContext& ctx) {
  if (ctx.candidates.empty()) return;
  const cv::Rect frame(0, 0, ctx.gray.cols, ctx.gray.rows);
  const bool margins = margin_x_ > 0.f || margin_y_ > 0.f;
  for (auto& cand : ctx.candidates) {
    if (margins && !has_corners(cand)) cand.corners = box_corners(cand.box);
    const bool axis_aligned =
        !has_corners(cand) || (cand.corners[0].x == cand.corners[3].x && cand.corners[1].x == cand.corners[2].x &&
                               cand.corners[0].y == cand.corners[1].y && cand.corners[2].y == cand.corners[3].y);
    if (axis_aligned && !margins) {
      const cv::Rect r = cand.box & frame;
      if (r.width < 2 || r.height < 2) continue;
      cand.plate = bgr_pixels(ctx, r);  // a view (no copy) for upright boxes on colour frames and whole-image crops
      continue;
    }
    cand.plate = warp_plate(ctx, cand, {margin_x_, margin_y_, margin_x_, margin_y_});
  }
}

}  // namespace platewatch
