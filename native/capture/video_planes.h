// A decoded frame's planes as OpenCV views, without copying: luma always, chroma for I420/NV12.
#pragma once

#include <opencv2/core.hpp>

namespace platewatch::capture {

enum class PixelFormat { kGray8, kI420, kNV12 };

struct VideoPlanes {
  PixelFormat format = PixelFormat::kGray8;
  cv::Mat y;   // CV_8UC1, full resolution
  cv::Mat u;   // I420: CV_8UC1 at half resolution
  cv::Mat v;   // I420: CV_8UC1 at half resolution
  cv::Mat uv;  // NV12: CV_8UC2 at half resolution
};

const char* pixel_format_name(PixelFormat f);

}  // namespace platewatch::capture
