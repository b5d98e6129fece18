// Reading: runs the plate reader network (models/plate_ocr.onnx, OpenCV dnn, CPU) on each
// rectified plate. Stores per-column (CTC) character probabilities and state-of-issuance probabilities
// on the candidate; decoding into text is the next stage's job. One network per Recognizer,
// hence per thread.
#pragma once

#include <memory>

#include <opencv2/dnn.hpp>

#include "../plate_model.h"
#include "../stage.h"

namespace platewatch {

class ReadPlate : public Stage {
 public:
  // Loads the network; throws Error(ERR_MODEL) naming the file when it is missing or unreadable.
  explicit ReadPlate(std::shared_ptr<const PlateModelInfo> info);
  const char* name() const override { return "read_plate"; }
  void run(FrameContext& ctx) override;

 private:
  std::shared_ptr<const PlateModelInfo> info_;
  cv::dnn::Net net_;
  std::vector<cv::String> out_names_;
};

}  // namespace platewatch
