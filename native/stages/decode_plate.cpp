#include "decode_plate.h"

#include <algorithm>
#include <cctype>
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

// Look-alike correction. The network may be sure of "0" where the plate has "O": on most US plates
// the two are the same glyph, and the beam search prunes what the network gives under 1e-3, so the
// format prior alone never sees the other reading. Each of the best beams is therefore also
// projected onto the serial formats of its length of each state the network is fairly sure of
// (kProjectStateMin): a digit where the format wants a letter (or the reverse) is swapped for its
// look-alike, at most kMaxSwaps times, and the projected text competes with the weight of its
// swaps times its own format fit. Only O/0 can win that way (0.5 x a fitting format beats an
// off-format text's 0.1); the other pairs, whose glyphs differ on most plates, weigh no more than
// an off-format text, so they only add top-N alternatives. Measured on the 5-fold held-out reader
// models (models/README.md): projecting every pair at 0.15 onto every state's formats fixed 6 of
// 381 crops and broke 9 (Z/2, G/6 and O/0 read right turned by other states' formats).
constexpr double kSameGlyph = 0.5;   // O <-> 0
constexpr double kLookAlike = 0.05;  // D/0, Q/0, I/1, B/8, S/5, Z/2, G/6
// The letter O against the digit 0, once the network and the formats have spoken: a round glyph is a
// zero far more often than an O on US plates (many states issue no O in serials; the dev crops' labels
// write 0 for 174 of 181 round glyphs, vanity words included), so each O weighs this much. Measured
// (session 8, models/README.md) on three sets of 5-fold held-out reader models: 0.3 read 344, 348 and
// 348 of the 381 crops instead of 340, 343 and 344, and broke none; the held-out scenes (no O in their
// labels) and the no-plate photos did not change. Re-ranking their top-8 candidates, 0.2 broke two
// plates with a real O (471NZO, 778AOS) for one more fix, and 0.5 fixed only 1-2.
constexpr double kLetterO = 0.3;
constexpr int kMaxSwaps = 2;
constexpr size_t kProjectBeams = 8;
constexpr float kProjectStateMin = 0.3f;

// The look-alike of `c` in the other class (letter <-> digit), or '\0'; its weight in `w`.
char look_alike(char c, bool want_letter, double& w) {
  w = kLookAlike;
  if (want_letter) {
    switch (c) {
      case '0':
        w = kSameGlyph;
        return 'O';
      case '1':
        return 'I';
      case '8':
        return 'B';
      case '5':
        return 'S';
      case '2':
        return 'Z';
      case '6':
        return 'G';
      default:
        return '\0';
    }
  }
  switch (c) {
    case 'O':
      w = kSameGlyph;
      return '0';
    case 'D':
    case 'Q':
      return '0';
    case 'I':
      return '1';
    case 'B':
      return '8';
    case 'S':
      return '5';
    case 'Z':
      return '2';
    case 'G':
      return '6';
    default:
      return '\0';
  }
}

// `text` projected onto `pattern` (same length): the swapped text and the product of the swaps'
// weights, or an empty text when it already fits, cannot fit, or needs more than kMaxSwaps swaps.
std::string project(const std::string& text, const std::string& pattern, double& weight) {
  std::string out = text;
  weight = 1.0;
  int swaps = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
    const char p = pattern[i];
    if (p == 'X' || (p == 'L') != digit) continue;
    double w = 0;
    const char other = look_alike(text[i], p == 'L', w);
    if (other == '\0' || ++swaps > kMaxSwaps) return {};
    out[i] = other;
    weight *= w;
  }
  return swaps == 0 ? std::string() : out;
}

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

struct Scored {
  std::string text;
  double score = 0;
};

// The beams re-weighted by the format prior, plus the look-alike projections of the best of them
// (a projection that another beam already reads adds to that beam's score), best first.
std::vector<Scored> rescore(const std::vector<Beam>& beams, const PlateModelInfo& info, const float* state_probs) {
  std::vector<Scored> out;
  std::unordered_map<std::string, size_t> index;
  auto add = [&](const std::string& text, double score) {
    auto [it, fresh] = index.emplace(text, out.size());
    if (fresh)
      out.push_back({text, score});
    else
      out[it->second].score += score;
  };
  for (const Beam& b : beams) add(b.text, b.total() * format_fit(b.text, info, state_probs));
  for (size_t i = 0; i < beams.size() && i < kProjectBeams; ++i) {  // beams come sorted by probability
    const std::string& text = beams[i].text;
    std::vector<std::string> seen;
    for (size_t st = 0; st < info.formats.size(); ++st) {
      if (state_probs[st] < kProjectStateMin) continue;
      for (const std::string& f : info.formats[st]) {
        if (f.size() != text.size()) continue;
        double w = 0;
        std::string p = project(text, f, w);
        if (p.empty() || std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
        seen.push_back(p);
        add(p, beams[i].total() * w * format_fit(p, info, state_probs));
      }
    }
  }
  // A US fact: only where the network takes the plate for a US one (it claims no state on most foreign
  // plates, whose serials do use O).
  if (*std::max_element(state_probs, state_probs + info.states.size()) >= kProjectStateMin) {
    for (Scored& e : out)
      e.score *= std::pow(kLetterO, static_cast<double>(std::count(e.text.begin(), e.text.end(), 'O')));
  }
  std::sort(out.begin(), out.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  return out;
}

}  // namespace

void DecodePlate::run(FrameContext& ctx) {
  const int width = std::max(24, options_.topN * 4);
  for (size_t ci = 0; ci < ctx.candidates.size(); ++ci) {
    const PlateCandidate& cand = ctx.candidates[ci];
    if (cand.text_probs.empty()) continue;
    std::vector<Beam> beams = prefix_beam_search(cand.text_probs, info_->alphabet, width);

    // Format prior and look-alike projections.
    const std::vector<Scored> scored = rescore(beams, *info_, cand.state_probs.ptr<float>(0));
    double total = 0;
    for (const Scored& e : scored) total += e.score;

    const Scored& best = scored[0];
    PlateRead read;
    read.box = cand.box;
    read.candidate = static_cast<int>(ci);
    read.plate = best.text;
    read.confidence = total > 0 ? static_cast<float>(best.score / total) : 0.f;
    // A character's confidence: the share of the re-weighted texts that agree with it at that slot.
    for (size_t k = 0; k < best.text.size(); ++k) {
      double agree = 0;
      for (const Scored& e : scored) {
        if (e.text.size() > k && e.text[k] == best.text[k]) agree += e.score;
      }
      read.char_confidences.push_back(total > 0 ? static_cast<float>(agree / total) : 0.f);
    }
    for (size_t i = 0; i < scored.size() && static_cast<int>(read.candidates.size()) < options_.topN; ++i) {
      if (scored[i].text.empty()) continue;
      read.candidates.push_back({scored[i].text, total > 0 ? static_cast<float>(scored[i].score / total) : 0.f});
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
