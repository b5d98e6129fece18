// Rectification: warps each candidate's quadrilateral (corners from localization) out of the
// full-resolution frame into an upright plate image, so the reader sees the plate frontal and
// at the best resolution the camera gave.
#pragma once

#include "../stage.h"

namespace platewatch {

class RectifyPlate : public Stage {
 public:
  const char* name() const override { return "rectify_plate"; }
  void run(FrameContext& ctx) override;
};

}  // namespace platewatch
