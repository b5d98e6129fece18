// Localization: a tiny anchor-free CNN (YuNet style) over the grey frame downscaled by an exact
// integer ratio k, giving a stride-8 plate-centre heatmap and the four plate corners at each cell.
// Two passes of the same network: a coarse one at ratio 2k (a quarter of the pixels: 320x180 for
// 720p and 1080p) that only gates, then the full one (640x360) only when some coarse cell scores
// at least kCoarseGate. A frame with nothing plate-like (an empty road) costs the coarse pass alone
// (~1/3 of the full one). Real scenes with cars or clutter almost always open the gate, and there
// the coarse pass would be pure overhead (~2 ms), so once it opens the next kGateBackoff frames skip
// it and go straight to the full pass; it is tried again after that. When the full pass proposes
// nothing, the coarse pass's own proposals of plates at least kCoarseMinPlate tall are taken: a
// close-up photo's plate can be too tall for the full pass (measured: us4.jpg of the dev scenes, and
// rendered 640x480 close-ups, 5 of 12 found without, 11 with).
// Model: <modelDir>/plate_detector.onnx (training/detector/, see models/README.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  // Coarse-pass score (0..1) that lets a frame through to the full pass. Low on purpose: a plate too
  // small for the coarse pass to be sure of still lifts its score above this (measured on the dev
  // scenes, models/README.md); raising it saves time on busy frames and loses small plates.
  static constexpr float kCoarseGate = 0.1f;
  static constexpr int kMinCoarseSide = 64;  // frames whose coarse input would be smaller skip the gate
  static constexpr int kGateBackoff = 8;     // frames that skip the gate after it opened
  // Candidates scoring at least this (or detectorThreshold when lower) go on to RefinePlates, which
  // re-scores them with a closer look and applies detectorThreshold to the mean of the two scores.
  static constexpr float kProposalScore = 0.3f;
  // The coarse pass also proposes plates at least this tall in its input (2x that in the full pass's,
  // where training never showed plates over ~45 px): a close-up photo's plate.
  static constexpr float kCoarseMinPlate = 20.f;

 private:
  RecognizerOptions options_;
  // Two copies of the network: OpenCV reallocates a net's buffers whenever its input shape changes,
  // so each pass keeps its own, sized once per frame size.
  cv::dnn::Net net_, coarse_net_;
  cv::Mat small_, coarse_, input_, blob_;  // reused between frames
  std::vector<uint16_t> column_sums_;      // shrink_box's row of k-row column sums, reused
  int gate_skip_ = 0;                      // frames left that skip the gate

  // Runs `net` on `img` (padded to a multiple of 32) and returns its 1 x 9 x gh x gw output.
  cv::Mat forward(cv::dnn::Net& net, const cv::Mat& img);
};

}  // namespace platewatch
