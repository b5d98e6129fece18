#include "decode_plate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

namespace platewatch {

namespace {

struct Beam {
  std::string text;
  double p_blank = 0;  // probability of the prefix with the last column blank
  double p_char = 0;   // ... with the last column its last character
  double total() const { return p_blank + p_char; }
};

// Weight of a text that fits no format of a state, relative to one that does: formats are a
// prior (they overlap, vanity plates fit none), never a veto. On the 5-fold held-out reader models
// (models/README.md) 0.1 instead of 0.2 read 3-4 more of the 111 dev scenes with the shipped
// detector (0-2 more with the detector held out too; top-5 +2-3) and changed the crops by +-1 of
// 381; 0.05 read no more scenes and made one more false read on the 360 no-plate photos.
constexpr double kOffFormat = 0.1;
// Longer than any standard US serial, or shorter than nearly all (1-3 characters, like the bits of
// signs and lettering that get through): only accepted when every character is this certain.
constexpr float kOddLengthMinChar = 0.8f;
constexpr size_t kMaxChars = 10;

// CTC prefix beam search over steps x classes probabilities (blank = last class).
std::vector<Beam> prefix_beam_search(const cv::Mat& probs, const std::string& alphabet, int width) {
  const int steps = probs.rows, blank = probs.cols - 1;
  std::vector<Beam> beams(1);
  beams[0].p_blank = 1.0;
  std::vector<int> order(blank);
  for (int t = 0; t < steps; ++t) {
    const float* p = probs.ptr<float>(t);
    for (int c = 0; c < blank; ++c) order[c] = c;
    const int keep = std::min(6, blank);
    std::partial_sort(order.begin(), order.begin() + keep, order.end(), [p](int a, int b) { return p[a] > p[b]; });
    std::unordered_map<std::string, Beam> next;
    next.reserve(beams.size() * (keep + 1) * 2);
    auto at = [&next](const std::string& text) -> Beam& {
      Beam& b = next[text];
      b.text = text;
      return b;
    };
    for (const Beam& b : beams) {
      at(b.text).p_blank += b.total() * p[blank];
      const char last = b.text.empty() ? '\0' : b.text.back();
      for (int k = 0; k < keep; ++k) {
        const int c = order[k];
        if (p[c] < 1e-3f) break;  // sorted: the rest are even less likely
        const char ch = alphabet[c];
        if (ch == last) {
          at(b.text).p_char += b.p_char * p[c];  // a repeat collapses into the same character
          if (b.text.size() < kMaxChars) at(b.text + ch).p_char += b.p_blank * p[c];
        } else if (b.text.size() < kMaxChars) {
          at(b.text + ch).p_char += b.total() * p[c];
        }
      }
    }
    beams.clear();
    for (auto& kv : next) beams.push_back(std::move(kv.second));
    std::sort(beams.begin(), beams.end(), [](const Beam& a, const Beam& b) { return a.total() > b.total(); });
    if (static_cast<int>(beams.size()) > width) beams.resize(width);
  }
  return beams;
}

// Probability mass of the states whose formats `text` fits (the rest weighted by kOffFormat).
double format_fit(const std::string& text, const PlateModelInfo& info, const float* state_probs) {
  double fit = 0;
  for (size_t s = 0; s < info.states.size(); ++s) {
    const auto& pats = info.formats[s];
    const bool ok =
        std::any_of(pats.begin(), pats.end(), [&](const std::string& f) { return matches_format(text, f); });
    fit += state_probs[s] * (ok ? 1.0 : kOffFormat);
  }
  return fit;
}

}  // namespace

void DecodePlate::run(FrameContext& ctx) {
  const int width = std::max(24, options_.topN * 4);
  for (size_t ci = 0; ci < ctx.candidates.size(); ++ci) {
    const PlateCandidate& cand = ctx.candidates[ci];
    if (cand.text_probs.empty()) continue;
    std::vector<Beam> beams = prefix_beam_search(cand.text_probs, info_->alphabet, width);

    // Format prior: the probability mass of states whose formats the text fits.
    const float* sp = cand.state_probs.ptr<float>(0);
    std::vector<double> score(beams.size());
    double total = 0;
    for (size_t i = 0; i < beams.size(); ++i) {
      score[i] = beams[i].total() * format_fit(beams[i].text, *info_, sp);
      total += score[i];
    }
    std::vector<size_t> order(beams.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });

    const Beam& best = beams[order[0]];
    PlateRead read;
    read.box = cand.box;
    read.candidate = static_cast<int>(ci);
    read.plate = best.text;
    read.confidence = total > 0 ? static_cast<float>(score[order[0]] / total) : 0.f;
    // A character's confidence: the share of the re-weighted beam that agrees with it at that slot.
    for (size_t k = 0; k < best.text.size(); ++k) {
      double agree = 0;
      for (size_t i = 0; i < beams.size(); ++i) {
        if (beams[i].text.size() > k && beams[i].text[k] == best.text[k]) agree += score[i];
      }
      read.char_confidences.push_back(total > 0 ? static_cast<float>(agree / total) : 0.f);
    }
    for (size_t i = 0; i < order.size() && static_cast<int>(read.candidates.size()) < options_.topN; ++i) {
      const Beam& b = beams[order[i]];
      if (b.text.empty()) continue;
      read.candidates.push_back({b.text, total > 0 ? static_cast<float>(score[order[i]] / total) : 0.f});
    }

    const float min_char = read.char_confidences.empty()
                               ? 0.f
                               : *std::min_element(read.char_confidences.begin(), read.char_confidences.end());
    std::string reason;
    if (read.plate.empty())
      reason = "no text";
    else if (read.plate.size() < 2)
      reason = "fewer than 2 characters";
    else if (read.plate.size() > 8 && min_char < kOddLengthMinChar)
      reason = "longer than 8 characters";
    else if (read.plate.size() < 4 && min_char < kOddLengthMinChar)
      reason = "fewer than 4 characters";
    else if (min_char < options_.minCharConfidence)
      reason = "uncertain character (" + std::to_string(min_char) + ")";
    else if (read.confidence < options_.minConfidence)
      reason = "low confidence (" + std::to_string(read.confidence) + ")";
    if (!reason.empty()) {
      ctx.rejections.push_back({cand.box, name(), reason + (read.plate.empty() ? "" : ": " + read.plate)});
      continue;
    }
    ctx.reads.push_back(std::move(read));
  }
}

}  // namespace platewatch
