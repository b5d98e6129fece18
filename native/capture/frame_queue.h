// The hand-off from GStreamer's streaming thread to the analysis thread: bounded and leaky,
// the newest frame wins. push() never blocks the streaming thread; it drops the oldest frame
// when full and says so, so the caller can count it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

#include <gst/gst.h>

namespace platewatch::capture {

struct DecodedFrame {
  GstSample* sample = nullptr;  // owned: one reference
  uint64_t seq = 0;
  double capturedAt = 0;  // ms since the epoch
  int64_t pts = -1;       // ns
  std::chrono::steady_clock::time_point arrived;
};

class FrameQueue {
 public:
  explicit FrameQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  ~FrameQueue() { clear(); }
  FrameQueue(const FrameQueue&) = delete;
  FrameQueue& operator=(const FrameQueue&) = delete;

  // Returns the number of frames dropped to make room (0 or 1).
  int push(DecodedFrame frame) {
    int dropped = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) {
        gst_sample_unref(frame.sample);
        return 1;
      }
      while (frames_.size() >= capacity_) {
        gst_sample_unref(frames_.front().sample);
        frames_.pop_front();
        ++dropped;
      }
      frames_.push_back(frame);
    }
    cv_.notify_one();
    return dropped;
  }

  // Waits for a frame; false when the queue was closed.
  bool pop(DecodedFrame& out) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !frames_.empty(); });
    if (closed_) return false;
    out = frames_.front();
    frames_.pop_front();
    return true;
  }

  void close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    clear();
  }

  void reopen() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = false;
  }

  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& f : frames_) gst_sample_unref(f.sample);
    frames_.clear();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<DecodedFrame> frames_;
  bool closed_ = false;
};

}  // namespace platewatch::capture
