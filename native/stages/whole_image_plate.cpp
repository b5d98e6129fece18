#include "whole_image_plate.h"

namespace platewatch {

void WholeImagePlate::run(FrameContext& ctx) {
  const cv::Mat& img = ctx.bgr.empty() ? ctx.gray : ctx.bgr;
  if (img.empty()) return;
  PlateCandidate cand;
  cand.box = cv::Rect(0, 0, img.cols, img.rows);
  const float w = static_cast<float>(img.cols), h = static_cast<float>(img.rows);
  cand.corners = {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
  cand.score = 1.f;
  ctx.candidates.push_back(cand);
}

}  // namespace platewatch
