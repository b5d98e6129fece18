// Second look: the reader is sensitive to exactly where the detector cuts a plate (a character edge cut
// off, too much bumper), so a plate it was unsure of is cut out of the frame four more ways (a wider and a
// tighter margin, shifted up, shifted down) and read from each. The cut whose best-path text most cuts
// agree on (ties: the surest) replaces the first one before decoding.
// Only candidates the detector is fairly sure are plates (score >= kMinScore) whose first read's best
// path is below secondLookBelow get it, at most kMaxLooks per frame, so a clear plate costs nothing more
// and text that is not a plate is not read again. Not in the pipeline for whole-image crops
// (wholeImageIsPlate: there is no detector cut to correct) nor when secondLookBelow is 0 (cameras read each
// plate over many frames instead).
// Held out (models/README.md, session 6): +1, +3 and +5 of 111 dev scenes with detectors of three seeds.
#pragma once

#include <memory>
#include <vector>

#include "../recognizer_options.h"
#include "../stage.h"
#include "read_plate.h"
#include "rectify_plate.h"

namespace platewatch {

class SecondLook : public Stage {
 public:
  SecondLook(const RecognizerOptions& options, std::shared_ptr<PlateReaderNet> net);
  const char* name() const override { return "second_look"; }
  void run(FrameContext& ctx) override;

  static constexpr float kMinScore = 0.6f;  // detector score a candidate needs for a second look
  static constexpr int kMaxLooks = 2;       // candidates per frame, least sure first

 private:
  float below_;
  std::shared_ptr<PlateReaderNet> net_;
  std::vector<Margins> cuts_;  // the other cuts: the reader's own margins plus a change
};

}  // namespace platewatch
