// Geometry of plate quadrilaterals shared by the detector stages (localize_plates, refine_plates).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/core.hpp>

namespace platewatch {

using PlateQuad = std::array<cv::Point2f, 4>;  // top-left, top-right, bottom-right, bottom-left

inline float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float u = a.area() + b.area() - inter;
  return u > 0.f ? inter / u : 0.f;
}

// The extreme coordinates of a quadrilateral.
struct QuadExtent {
  float x0, y0, x1, y1;
};

inline QuadExtent quad_extent(const PlateQuad& q) {
  QuadExtent e{q[0].x, q[0].y, q[0].x, q[0].y};
  for (const auto& p : q) {
    e.x0 = std::min(e.x0, p.x);
    e.y0 = std::min(e.y0, p.y);
    e.x1 = std::max(e.x1, p.x);
    e.y1 = std::max(e.y1, p.y);
  }
  return e;
}

// The axis-aligned bounds of a quadrilateral.
inline cv::Rect2f quad_bounds(const PlateQuad& q) {
  const QuadExtent e = quad_extent(q);
  return {e.x0, e.y0, e.x1 - e.x0, e.y1 - e.y0};
}

// The whole pixels covering a quadrilateral, clipped to `frame`.
inline cv::Rect pixel_box(const PlateQuad& q, const cv::Rect& frame) {
  const QuadExtent e = quad_extent(q);
  return cv::Rect(cv::Point(static_cast<int>(std::floor(e.x0)), static_cast<int>(std::floor(e.y0))),
                  cv::Point(static_cast<int>(std::ceil(e.x1)), static_cast<int>(std::ceil(e.y1)))) &
         frame;
}

// Plate height: the mean of its left and right edges.
inline float quad_height(const PlateQuad& q) {
  return 0.5f * static_cast<float>(cv::norm(q[3] - q[0]) + cv::norm(q[2] - q[1]));
}

}  // namespace platewatch
