// Localization: a tiny anchor-free CNN (YuNet style) over the grey frame downscaled by an exact
// integer ratio, giving a stride-8 plate-centre heatmap and the four plate corners at each cell.
// One pass over ~480x270 px for a 1080p frame; a frame with no plate costs the network pass only.
// Model: <modelDir>/plate_detector.onnx (training/detector/, see models/README.md).
#pragma once

#include <string>

#include <opencv2/dnn.hpp>

#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

class LocalizePlates : public Stage {
 public:
  // Throws Error(ERR_MODEL) naming the path when the model is missing or cannot be loaded.
  explicit LocalizePlates(const RecognizerOptions& options);
  const char* name() const override { return "localize_plates"; }
  void run(FrameContext& ctx) override;

  static constexpr const char* kModelFile = "plate_detector.onnx";
  static constexpr int kStride = 8;           // output cell size, network input pixels
  static constexpr float kCornerUnit = 16.f;  // corner offsets are in units of 16 input pixels

 private:
  RecognizerOptions options_;
  cv::dnn::Net net_;
  cv::Mat small_, input_, blob_;  // reused between frames
};

}  // namespace platewatch
