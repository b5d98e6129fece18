#include "schedule_reads.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace platewatch {

void ScheduleReads::run(FrameContext& ctx) {
  ++frame_;
  looked_.clear();
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(),
                               [this](const Track& t) { return frame_ - t.seenFrame > kForgetFrames; }),
                tracks_.end());
  if (ctx.candidates.empty()) return;

  // Every (candidate, track) pair within the gates, nearest first; each side is matched at most once.
  struct Pair {
    float distance;
    size_t candidate, track;
  };
  std::vector<Pair> pairs;
  for (size_t c = 0; c < ctx.candidates.size(); ++c) {
    const cv::Rect& a = ctx.candidates[c].box;
    for (size_t t = 0; t < tracks_.size(); ++t) {
      const cv::Rect& b = tracks_[t].box;
      const float hi = static_cast<float>(std::max({a.height, b.height, 1}));
      const float lo = static_cast<float>(std::max(std::min(a.height, b.height), 1));
      if (hi / lo > kMaxScale) continue;
      const float dx = (a.x + a.width * 0.5f) - (b.x + b.width * 0.5f);
      const float dy = (a.y + a.height * 0.5f) - (b.y + b.height * 0.5f);
      const float d = std::sqrt(dx * dx + dy * dy) / hi;
      if (d <= kMaxMove) pairs.push_back({d, c, t});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) { return x.distance < y.distance; });
  std::vector<int> trackOf(ctx.candidates.size(), -1);
  std::vector<char> taken(tracks_.size(), 0);
  for (const Pair& p : pairs) {
    if (trackOf[p.candidate] >= 0 || taken[p.track]) continue;
    trackOf[p.candidate] = static_cast<int>(p.track);
    taken[p.track] = 1;
  }

  std::vector<PlateCandidate> kept;
  kept.reserve(ctx.candidates.size());
  for (size_t c = 0; c < ctx.candidates.size(); ++c) {
    PlateCandidate& cand = ctx.candidates[c];
    const int h = cand.box.height;
    if (trackOf[c] < 0) {  // a plate not seen before: read it, and track it
      if (tracks_.size() < kMaxTracks) {
        looked_.push_back(tracks_.size());
        tracks_.push_back({cand.box, h, frame_, frame_});
      }
      kept.push_back(std::move(cand));
      continue;
    }
    Track& t = tracks_[static_cast<size_t>(trackOf[c])];
    t.box = cand.box;
    t.seenFrame = frame_;
    const int64_t since = frame_ - t.readFrame;
    if (since >= every_ || static_cast<float>(h) >= kGrowth * static_cast<float>(t.readHeight)) {
      t.readFrame = frame_;
      t.readHeight = h;
      looked_.push_back(static_cast<size_t>(trackOf[c]));
      kept.push_back(std::move(cand));
    } else {
      ctx.rejections.push_back({cand.box, name(), "read " + std::to_string(since) + " frame(s) ago"});
    }
  }
  ctx.candidates = std::move(kept);
}

void ScheduleReads::confirm(const FrameContext& ctx) {
  for (const size_t i : looked_) {
    Track& t = tracks_[i];
    // The read's box is the refined one; the track's is the detector's proposal: the same plate when the
    // read's centre lies in the proposal.
    const bool read = std::any_of(ctx.reads.begin(), ctx.reads.end(), [&](const PlateRead& r) {
      return !r.plate.empty() && r.confidence >= kSureRead &&
             t.box.contains(cv::Point(r.box.x + r.box.width / 2, r.box.y + r.box.height / 2));
    });
    if (!read) t.readFrame = frame_ - every_;  // refused, or read unsure: look again at the next frame
  }
  looked_.clear();
}

}  // namespace platewatch
