// Rectification: warps each candidate's quadrilateral (corners from localization) out of the
// full-resolution frame into an upright plate image, so the reader sees the plate frontal and
// at the best resolution the camera gave. The quad is first grown by the margins the reader was
// trained with (the reader's json "rectify_margin_x/y", fractions of the quad's width/height per
// side): the detector's corners sit on the characters and miss by ~10 % of the width per side
// on the dev scenes, which cut off first/last characters before the margin.
#pragma once

#include "../plate_model.h"
#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

// How much to grow a plate quad on each side, as fractions of its width (left, right) and height (top,
// bottom); negative values cut into it.
struct Margins {
  float left = 0.f, top = 0.f, right = 0.f, bottom = 0.f;
};

// The candidate's plate warped upright out of the frame with its quad (its box when it has no corners)
// grown by `margins`; pixels outside the frame repeat its border. Empty when the quad is degenerate.
// SecondLook uses it to cut a plate again differently.
cv::Mat warp_plate(const FrameContext& ctx, const PlateCandidate& cand, const Margins& margins);

class RectifyPlate : public Stage {
 public:
  // The margins are the reader's (PlateModelInfo::rectify_margin_x/y); none for whole-image crops.
  RectifyPlate(const RecognizerOptions& options, const PlateModelInfo& reader);
  const char* name() const override { return "rectify_plate"; }
  void run(FrameContext& ctx) override;

 private:
  float margin_x_ = 0.f;
  float margin_y_ = 0.f;
};

}  // namespace platewatch
