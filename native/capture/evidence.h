// Evidence images for a read: a colour JPEG crop of the plate and a downscaled JPEG of the frame.
// Only the crop (or the downscaled frame) is converted to BGR, never the full frame.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "camera_options.h"
#include "video_planes.h"

namespace platewatch::capture {

// The region `rect` of the frame scaled to `size`, as BGR (grey frames give grey-as-BGR).
cv::Mat region_bgr(const VideoPlanes& planes, cv::Rect rect, cv::Size size);

// Exactly the pixels of `rect` (clipped to the frame) as BGR, converting only that region.
cv::Mat crop_bgr(const VideoPlanes& planes, cv::Rect rect);

std::vector<uint8_t> plate_jpeg(const VideoPlanes& planes, const cv::Rect& box, const EvidenceOptions& o);
std::vector<uint8_t> context_jpeg(const VideoPlanes& planes, const EvidenceOptions& o);

}  // namespace platewatch::capture
