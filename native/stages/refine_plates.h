// Refinement and verification of the plates localization proposed: each candidate (down to
// LocalizePlates::kProposalScore, the best kMaxRefined of them) is looked at again by the same
// detector network on a small window cut from the full-resolution grey frame and scaled so that the
// plate is kTargetHeight px tall (192x96: the plate plus its surroundings). A plate that was a few
// pixels tall in the whole-frame pass is seen at a size the network is sure of, and a false candidate
// (lettering, grilles) usually scores low there. The candidate's score becomes the mean of the two
// passes' scores, and it is kept when both that mean and the window pass's own score reach
// detectorThreshold (the window must confirm the plate, unless the whole-frame score reached
// kConfirmedScore); its corners become the window
// pass's corners (score-weighted over the 3x3 cells around its peak: the box the rectifier cuts). Candidates scoring
// kSureScore or more in the whole-frame pass are kept as they are. Held-out figures: models/README.md. Model:
// <modelDir>/plate_detector.onnx, the same file as LocalizePlates.
#pragma once

#include <array>

#include <opencv2/dnn.hpp>

#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

class RefinePlates : public Stage {
 public:
  // Throws Error(ERR_MODEL) naming the path when the model is missing or cannot be loaded.
  explicit RefinePlates(const RecognizerOptions& options);
  const char* name() const override { return "refine_plates"; }
  void run(FrameContext& ctx) override;

  static constexpr int kWindowWidth = 192, kWindowHeight = 96;  // network input, multiples of 32
  static constexpr float kTargetHeight = 32.f;                  // plate height in the window, px
  static constexpr int kMaxRefined = 6;  // best-scoring candidates refined per frame; others are dropped
  // A candidate the whole-frame pass already scores this high keeps its score and corners and skips
  // the window pass: held out, this read 79 of 111 dev scenes right against 73 when every candidate
  // took the window's corners (the reader was trained on crops cut like the whole-frame pass's), and
  // it saves the window pass on clear plates (0.8: 72, 0.95: 76; models/README.md).
  static constexpr float kSureScore = 0.9f;
  // A candidate the whole-frame pass scores at least this needs no confirmation from the window pass (the
  // mean of the two must still reach detectorThreshold): on small, blurred plates the window pass is the
  // less sure of the two. Held out (detector and reader), at detectorThreshold 0.4: one more dev scene
  // read (wts-lg-000189: 0.63 whole-frame, 0.35 window), none lost; foreign plates on the dev cars found
  // 88.3 % against 83.8 %; still 1 false read on the 360 no-plate photos (models/README.md, session 6).
  static constexpr float kConfirmedScore = 0.6f;

 private:
  RecognizerOptions options_;
  cv::dnn::Net net_;  // its own copy: a fixed input shape, so OpenCV never reallocates its buffers
  cv::Mat scaled_, window_, blob_;

  // Runs the window pass around `corners`; returns false when the window falls outside the frame.
  bool refine(const cv::Mat& gray, const std::array<cv::Point2f, 4>& corners, float& score,
              std::array<cv::Point2f, 4>& refined);
};

}  // namespace platewatch
