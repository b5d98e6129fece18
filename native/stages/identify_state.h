// State of issuance: the network's state probabilities (it sees the state name, slogan, colours
// and layout) fused with the per-state serial formats of the text that was read. Reports a
// two-letter code when the fused confidence reaches options.stateMinConfidence, else unknown.
#pragma once

#include <memory>

#include "../plate_model.h"
#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

class IdentifyState : public Stage {
 public:
  IdentifyState(const RecognizerOptions& options, std::shared_ptr<const PlateModelInfo> info)
      : options_(options), info_(std::move(info)) {}
  const char* name() const override { return "identify_state"; }
  void run(FrameContext& ctx) override;

 private:
  RecognizerOptions options_;
  std::shared_ptr<const PlateModelInfo> info_;
};

}  // namespace platewatch
