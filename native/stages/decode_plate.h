// Post-processing: turns each candidate's per-column (CTC) probabilities into a read.
// - a CTC prefix beam search gives the most probable texts with their probabilities;
// - each text is re-weighted by how well it fits the US serial formats of the states the network
//   believes likely, which settles look-alikes (O/0, I/1, B/8, S/5, Z/2, D/0, G/6) by context
//   when the pixels alone are ambiguous;
// - reads with no text, fewer than 2 characters, an uncertain character (minCharConfidence) or a
//   low confidence (minConfidence) are rejected, with the reason, which keeps signs, lettering and
//   timestamps out.
#pragma once

#include <memory>

#include "../plate_model.h"
#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

class DecodePlate : public Stage {
 public:
  DecodePlate(const RecognizerOptions& options, std::shared_ptr<const PlateModelInfo> info)
      : options_(options), info_(std::move(info)) {}
  const char* name() const override { return "decode_plate"; }
  void run(FrameContext& ctx) override;

 private:
  RecognizerOptions options_;
  std::shared_ptr<const PlateModelInfo> info_;
};

}  // namespace platewatch
