// Localization replacement for tight plate crops (options.wholeImageIsPlate): the whole frame is
// one plate candidate, so nothing is searched for.
#pragma once

#include "../stage.h"

namespace platewatch {

class WholeImagePlate : public Stage {
 public:
  const char* name() const override { return "whole_image_plate"; }
  void run(FrameContext& ctx) override;
};

}  // namespace platewatch
