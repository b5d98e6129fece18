#include "identify_state.h"

#include <algorithm>
#include <cctype>

namespace platewatch {

namespace {
// Weight of a state whose formats the text does not fit: formats overlap and vanity plates fit
// none, so this only tips close calls.
constexpr double kOffFormat = 0.35;
}  // namespace

void IdentifyState::run(FrameContext& ctx) {
  for (PlateRead& read : ctx.reads) {
    if (read.candidate < 0 || read.candidate >= static_cast<int>(ctx.candidates.size())) continue;
    const cv::Mat& probs = ctx.candidates[read.candidate].state_probs;
    if (probs.empty()) continue;
    const float* p = probs.ptr<float>(0);
    double total = 0, best = -1;
    size_t best_i = 0;
    for (size_t s = 0; s < info_->states.size(); ++s) {
      const auto& pats = info_->formats[s];
      const bool fits =
          std::any_of(pats.begin(), pats.end(), [&](const std::string& f) { return matches_format(read.plate, f); });
      const double v = p[s] * (fits ? 1.0 : kOffFormat);
      total += v;
      if (v > best) best = v, best_i = s;
    }
    if (total <= 0) continue;
    const float conf = static_cast<float>(best / total);
    if (conf < options_.stateMinConfidence) continue;
    std::string code = info_->states[best_i];
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    read.state = code;
    read.state_confidence = conf;
  }
}

}  // namespace platewatch
