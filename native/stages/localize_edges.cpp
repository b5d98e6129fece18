#include "localize_edges.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace platewatch {

void LocalizeEdges::run(FrameContext& ctx) {
  const cv::Mat& gray = ctx.gray;
  if (gray.empty() || gray.cols < 32 || gray.rows < 16) return;

  // Work at most 1280 px wide; plate boxes are scaled back to full resolution.
  const double scale = std::min(1.0, 1280.0 / gray.cols);
  cv::Mat small;
  if (scale < 1.0)
    cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_LINEAR);
  else
    small = gray;

  cv::Mat grad, binary;
  cv::Sobel(small, grad, CV_16S, 1, 0, 3);
  cv::convertScaleAbs(grad, grad);
  cv::threshold(grad, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const int min_h = std::max(6, static_cast<int>(options_.minPlateHeight * scale));
  const int max_h = std::max(min_h + 1, static_cast<int>(options_.maxPlateHeight * scale));
  const cv::Mat kernel =
      cv::getStructuringElement(cv::MORPH_RECT, cv::Size(std::max(3, min_h), std::max(1, min_h / 4)));
  cv::morphologyEx(binary, binary, cv::MORPH_CLOSE, kernel);
  cv::morphologyEx(binary, binary, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));

  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(binary, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  for (const auto& contour : contours) {
    const cv::RotatedRect rr = cv::minAreaRect(contour);
    const float w = std::max(rr.size.width, rr.size.height);
    const float h = std::min(rr.size.width, rr.size.height);
    if (h < min_h || h > max_h) continue;
    const float aspect = w / std::max(1.f, h);
    if (aspect < 1.5f || aspect > 6.f) continue;
    const double fill = cv::contourArea(contour) / std::max(1.f, w * h);
    if (fill < 0.5) continue;
    cv::Rect box = cv::boundingRect(contour);
    PlateCandidate cand;
    cand.box = cv::Rect(cv::Point(static_cast<int>(box.x / scale), static_cast<int>(box.y / scale)),
                        cv::Size(static_cast<int>(box.width / scale), static_cast<int>(box.height / scale))) &
               cv::Rect(0, 0, gray.cols, gray.rows);
    cv::Point2f pts[4];
    rr.points(pts);
    for (int i = 0; i < 4; ++i) cand.corners[i] = pts[i] * static_cast<float>(1.0 / scale);
    cand.score = static_cast<float>(fill);
    ctx.candidates.push_back(cand);
  }
  std::sort(ctx.candidates.begin(), ctx.candidates.end(),
            [](const PlateCandidate& a, const PlateCandidate& b) { return a.score > b.score; });
}

}  // namespace platewatch
