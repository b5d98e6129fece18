// The recognizer: runs the stages in order over one frame.
// Not thread-safe: use one Recognizer per thread (cv::dnn::Net is not shareable either).
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "frame_context.h"
#include "recognizer_options.h"
#include "stage.h"

namespace platewatch {

class Recognizer {
 public:
  explicit Recognizer(const RecognizerOptions& options);
  const RecognizerOptions& options() const { return options_; }

  // Recognizes plates in a BGR (CV_8UC3) or grey (CV_8UC1) frame.
  void run(FrameContext& ctx);
  FrameContext recognize(const cv::Mat& image);

 private:
  RecognizerOptions options_;
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace platewatch
