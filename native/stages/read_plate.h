// Reading: runs the plate reader network (models/plate_ocr.onnx, OpenCV dnn, CPU) on each
// rectified plate. Stores per-column (CTC) character probabilities and state-of-issuance probabilities
// on the candidate; decoding into text is the next stage's job. One network per Recognizer,
// hence per thread; SecondLook shares it.
#pragma once

#include <memory>

#include <opencv2/dnn.hpp>

#include "../plate_model.h"
#include "../stage.h"

namespace platewatch {

// The reader network of one Recognizer.
class PlateReaderNet {
 public:
  // Loads the network; throws Error(ERR_MODEL) naming the file when it is missing or unreadable.
  explicit PlateReaderNet(std::shared_ptr<const PlateModelInfo> info);
  // One upright BGR plate image -> per-column character probabilities (steps x classes, blank last) and
  // state probabilities (1 x states).
  void read(const cv::Mat& plate, cv::Mat& text_probs, cv::Mat& state_probs);
  const PlateModelInfo& info() const { return *info_; }

 private:
  std::shared_ptr<const PlateModelInfo> info_;
  cv::dnn::Net net_;
  std::vector<cv::String> out_names_;
};

class ReadPlate : public Stage {
 public:
  explicit ReadPlate(std::shared_ptr<PlateReaderNet> net) : net_(std::move(net)) {}
  const char* name() const override { return "read_plate"; }
  void run(FrameContext& ctx) override;

 private:
  std::shared_ptr<PlateReaderNet> net_;
};

}  // namespace platewatch
