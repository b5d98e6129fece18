// The bounded queue between a camera's threads and JavaScript. Camera threads push without blocking;
// the consumer takes everything at once. Reads beyond `maxFrames` pending frames are refused (the
// caller counts them); events are kept up to a larger bound, dropping the oldest "dropped" notices
// first, so lifecycle events are not lost while JavaScript is merely slow.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "capture_event.h"

namespace platewatch::capture {

class Outbox {
 public:
  explicit Outbox(size_t maxFrames) : max_frames_(maxFrames < 1 ? 1 : maxFrames) {}

  // Returns true when this push made the outbox non-empty (the consumer must be woken).
  bool push_event(CameraEvent e) {
    std::lock_guard<std::mutex> lock(mu_);
    const bool was_empty = empty_locked();
    if (events_.size() >= kMaxEvents) {
      for (auto it = events_.begin(); it != events_.end(); ++it) {
        if (it->type == EventType::kDropped) {
          events_.erase(it);
          break;
        }
      }
      if (events_.size() >= kMaxEvents) events_.pop_front();
    }
    events_.push_back(std::move(e));
    return was_empty;
  }

  // False when full (the reads are dropped); `wake` says whether the consumer must be woken.
  bool push_reads(FrameReads r, bool& wake) {
    std::lock_guard<std::mutex> lock(mu_);
    wake = false;
    if (frames_.size() >= max_frames_) return false;
    wake = empty_locked();
    frames_.push_back(std::move(r));
    return true;
  }

  void take(std::vector<CameraEvent>& events, std::vector<FrameReads>& frames) {
    std::lock_guard<std::mutex> lock(mu_);
    events.assign(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
    frames.assign(std::make_move_iterator(frames_.begin()), std::make_move_iterator(frames_.end()));
    events_.clear();
    frames_.clear();
  }

 private:
  static constexpr size_t kMaxEvents = 1024;
  bool empty_locked() const { return events_.empty() && frames_.empty(); }

  const size_t max_frames_;
  std::mutex mu_;
  std::deque<CameraEvent> events_;
  std::deque<FrameReads> frames_;
};

}  // namespace platewatch::capture
