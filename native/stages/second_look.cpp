#include "second_look.h"

#include <algorithm>

namespace platewatch {

namespace {

// Probability of the most probable column path (the product of each column's top probability).
double best_path(const cv::Mat& probs) {
  double p = 1.0;
  for (int t = 0; t < probs.rows; ++t) {
    double top = 0;
    cv::minMaxLoc(probs.row(t), nullptr, &top);
    p *= top;
  }
  return p;
}

// The best path's text as column classes (blanks and repeats collapsed).
std::vector<int> best_text(const cv::Mat& probs) {
  std::vector<int> out;
  int prev = -1;
  const int blank = probs.cols - 1;
  for (int t = 0; t < probs.rows; ++t) {
    cv::Point at;
    cv::minMaxLoc(probs.row(t), nullptr, nullptr, nullptr, &at);
    if (at.x != prev && at.x != blank) out.push_back(at.x);
    prev = at.x;
  }
  return out;
}

}  // namespace

SecondLook::SecondLook(const RecognizerOptions& options, std::shared_ptr<PlateReaderNet> net)
    : below_(options.secondLookBelow), net_(std::move(net)) {
  const float mx = net_->info().rectify_margin_x, my = net_->info().rectify_margin_y;
  // wider, tighter, shifted up, shifted down (fractions of the plate's width and height per side)
  const std::vector<Margins> deltas = {{0.05f, 0.08f, 0.05f, 0.08f},
                                       {-0.03f, -0.05f, -0.03f, -0.05f},
                                       {0.f, 0.08f, 0.f, -0.08f},
                                       {0.f, -0.08f, 0.f, 0.08f}};
  for (const Margins& d : deltas) cuts_.push_back({mx + d.left, my + d.top, mx + d.right, my + d.bottom});
}

void SecondLook::run(FrameContext& ctx) {
  std::vector<std::pair<double, size_t>> unsure;
  for (size_t i = 0; i < ctx.candidates.size(); ++i) {
    const PlateCandidate& cand = ctx.candidates[i];
    if (cand.text_probs.empty() || cand.score < kMinScore) continue;
    const double p = best_path(cand.text_probs);
    if (p < below_) unsure.emplace_back(p, i);
  }
  std::sort(unsure.begin(), unsure.end());
  if (unsure.size() > static_cast<size_t>(kMaxLooks)) unsure.resize(kMaxLooks);
  for (const auto& [first, i] : unsure) {
    PlateCandidate& cand = ctx.candidates[i];
    struct Cut {
      cv::Mat plate, text, state;
      double p;
      std::vector<int> read;
    };
    std::vector<Cut> cuts = {{cand.plate, cand.text_probs, cand.state_probs, first, best_text(cand.text_probs)}};
    for (const Margins& m : cuts_) {
      Cut c;
      c.plate = warp_plate(ctx, cand, m);
      if (c.plate.empty()) continue;
      net_->read(c.plate, c.text, c.state);
      c.p = best_path(c.text);
      c.read = best_text(c.text);
      cuts.push_back(std::move(c));
    }
    size_t pick = 0;
    double pick_key = -1;
    for (size_t k = 0; k < cuts.size(); ++k) {
      int votes = 0;
      for (const Cut& o : cuts) votes += o.read == cuts[k].read;
      const double key = votes + cuts[k].p;  // votes first (p < 1), then sureness
      if (key > pick_key) pick_key = key, pick = k;
    }
    cand.plate = cuts[pick].plate;
    cand.text_probs = cuts[pick].text;
    cand.state_probs = cuts[pick].state;
  }
}

}  // namespace platewatch
