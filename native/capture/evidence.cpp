#include "evidence.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace platewatch::capture {

const char* pixel_format_name(PixelFormat f) {
  switch (f) {
    case PixelFormat::kI420:
      return "I420";
    case PixelFormat::kNV12:
      return "NV12";
    default:
      return "GRAY8";
  }
}

namespace {

int even_down(int v) { return v & ~1; }

void resize_into(const cv::Mat& src, cv::Mat dst) {
  if (src.size() == dst.size())
    src.copyTo(dst);
  else
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
}

std::vector<uint8_t> encode(const cv::Mat& bgr, int quality) {
  std::vector<uint8_t> out;
  cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, quality});
  return out;
}

}  // namespace

cv::Mat region_bgr(const VideoPlanes& p, cv::Rect rect, cv::Size size) {
  rect &= cv::Rect(0, 0, p.y.cols, p.y.rows);
  cv::Mat bgr;
  if (rect.empty() || size.width < 2 || size.height < 2) return bgr;
  if (p.format == PixelFormat::kGray8) {
    cv::Mat g(size, CV_8UC1);
    resize_into(p.y(rect), g);
    cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  }
  // Chroma is subsampled 2x2: align the region and the output to even coordinates.
  rect = cv::Rect(even_down(rect.x), even_down(rect.y), std::max(2, even_down(rect.width)),
                  std::max(2, even_down(rect.height))) &
         cv::Rect(0, 0, even_down(p.y.cols), even_down(p.y.rows));
  size = cv::Size(even_down(size.width), even_down(size.height));
  const cv::Rect crect(rect.x / 2, rect.y / 2, rect.width / 2, rect.height / 2);
  const cv::Size csize(size.width / 2, size.height / 2);
  // A contiguous I420/NV12 image of the region, as cv::cvtColor expects it.
  cv::Mat yuv(size.height * 3 / 2, size.width, CV_8UC1);
  resize_into(p.y(rect), yuv.rowRange(0, size.height));
  uint8_t* chroma = yuv.ptr(size.height);
  if (p.format == PixelFormat::kI420) {
    const size_t plane = static_cast<size_t>(csize.area());
    resize_into(p.u(crect), cv::Mat(csize, CV_8UC1, chroma));
    resize_into(p.v(crect), cv::Mat(csize, CV_8UC1, chroma + plane));
    cv::cvtColor(yuv, bgr, cv::COLOR_YUV2BGR_I420);
  } else {
    resize_into(p.uv(crect), cv::Mat(csize, CV_8UC2, chroma));
    cv::cvtColor(yuv, bgr, cv::COLOR_YUV2BGR_NV12);
  }
  return bgr;
}

cv::Mat crop_bgr(const VideoPlanes& p, cv::Rect rect) {
  // Chroma needs even coordinates: convert the even-aligned rectangle around `rect`, then cut it exactly.
  rect &= cv::Rect(0, 0, even_down(p.y.cols), even_down(p.y.rows));
  if (rect.empty()) return {};
  if (p.format == PixelFormat::kGray8) {
    cv::Mat bgr;
    cv::cvtColor(p.y(rect), bgr, cv::COLOR_GRAY2BGR);
    return bgr;
  }
  const int x0 = even_down(rect.x), y0 = even_down(rect.y);
  const int x1 = (rect.x + rect.width + 1) & ~1, y1 = (rect.y + rect.height + 1) & ~1;
  const cv::Rect even(x0, y0, x1 - x0, y1 - y0);
  const cv::Mat bgr = region_bgr(p, even, even.size());
  if (bgr.size() != even.size()) return {};
  return bgr(cv::Rect(rect.x - x0, rect.y - y0, rect.width, rect.height));
}

std::vector<uint8_t> plate_jpeg(const VideoPlanes& planes, const cv::Rect& box, const EvidenceOptions& o) {
  const int mx = static_cast<int>(box.width * o.plateMargin), my = static_cast<int>(box.height * o.plateMargin);
  const cv::Rect r(box.x - mx, box.y - my, box.width + 2 * mx, box.height + 2 * my);
  const cv::Mat bgr = crop_bgr(planes, r);
  return bgr.empty() ? std::vector<uint8_t>{} : encode(bgr, o.plateJpegQuality);
}

std::vector<uint8_t> context_jpeg(const VideoPlanes& planes, const EvidenceOptions& o) {
  if (o.contextWidth <= 0) return {};
  const int w = std::min(o.contextWidth, planes.y.cols);
  const int h = static_cast<int>(static_cast<double>(planes.y.rows) * w / planes.y.cols);
  const cv::Mat bgr = region_bgr(planes, cv::Rect(0, 0, planes.y.cols, planes.y.rows), cv::Size(w, h));
  return bgr.empty() ? std::vector<uint8_t>{} : encode(bgr, o.contextJpegQuality);
}

}  // namespace platewatch::capture
