// The per-frame context shared by the recognition stages: inputs, what each stage found,
// what it rejected and why, and how long each stage took.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace platewatch {

struct PlateAlternative {
  std::string plate;
  float confidence = 0.f;
};

// One plate region proposed by localization (axis-aligned box plus the four corners,
// clockwise from top-left, for rectification).
struct PlateCandidate {
  cv::Rect box;
  std::array<cv::Point2f, 4> corners{};
  float score = 0.f;
  cv::Mat plate;        // rectified BGR crop of the plate (rectify stage)
  cv::Mat text_probs;   // per-column character probabilities, steps x classes, blank last (read stage)
  cv::Mat state_probs;  // 1 x states probabilities of the state of issuance (read stage)
};

struct PlateRead {
  std::string plate;  // upper-case letters and digits; empty when OCR has not run
  float confidence = 0.f;
  cv::Rect box;
  std::vector<float> char_confidences;
  std::vector<PlateAlternative> candidates;  // top-N readings, best first
  std::string state;                         // two-letter code, empty when unknown
  float state_confidence = 0.f;
  int candidate = -1;  // index into FrameContext::candidates
};

struct Rejection {
  cv::Rect box;
  std::string stage;
  std::string reason;
};

struct StageTiming {
  const char* stage;
  double ms;            // wall clock
  double cpu_ms = -1.;  // CPU time of the thread that ran the stage; -1 when not measured
};

struct FrameContext {
  cv::Mat bgr;   // full-resolution colour frame (may be empty when only luma is available)
  cv::Mat gray;  // full-resolution luma
  // Live video has only luma in `gray` (zero-copy); colour is converted on demand, region by region:
  // bgr_region(r) returns the BGR pixels of rectangle r (coordinates of `gray`). Null when `bgr` is set
  // or the source has no colour. Stages needing colour crops use it instead of converting a whole frame.
  std::function<cv::Mat(const cv::Rect&)> bgr_region;
  std::vector<PlateCandidate> candidates;
  std::vector<PlateRead> reads;
  std::vector<Rejection> rejections;
  std::vector<StageTiming> timings;
};

}  // namespace platewatch
