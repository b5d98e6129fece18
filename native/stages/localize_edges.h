// First localization stage: plates are dense clusters of vertical strokes on a light or dark
// band. Vertical Sobel edges, closed horizontally, give character-row blobs; blobs of a
// plate-like aspect ratio and size become candidates. Cheap (a few ms at 720p) but not
// selective: later stages must verify each candidate.
#pragma once

#include "../recognizer_options.h"
#include "../stage.h"

namespace platewatch {

class LocalizeEdges : public Stage {
 public:
  explicit LocalizeEdges(const RecognizerOptions& options) : options_(options) {}
  const char* name() const override { return "localize_edges"; }
  void run(FrameContext& ctx) override;

 private:
  RecognizerOptions options_;
};

}  // namespace platewatch
