// One camera: a GStreamer pipeline (source -> decoder -> appsink) and the threads that own it.
//
// Threads (all owned here, none from libuv's pool):
//  - the supervisor builds the pipeline, watches its bus, runs the stall watchdog and reconnects
//    with exponential backoff and jitter; it alone changes the pipeline's state;
//  - GStreamer's streaming thread(s) decode and hand each frame to a bounded leaky FrameQueue
//    (newest frame wins) after the analysis-rate gate; nothing there blocks;
//  - the analysis thread runs one Recognizer over the luma plane (zero-copy cv::Mat over the mapped
//    buffer) and builds the evidence JPEGs for frames with reads.
// Results and events go to a CameraSink, which must not block either.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "camera_options.h"
#include "camera_stats.h"
#include "capture_event.h"
#include "frame_queue.h"

namespace platewatch {
class Recognizer;
}

namespace platewatch::capture {

// Initializes GStreamer once per process; throws platewatch::Error on failure.
void ensure_gstreamer();

// Checks a camera's source (URI scheme, pipeline syntax) without starting it; throws
// platewatch::Error with kCameraUri or kPipelineParse.
void validate_source(const CameraOptions& options);

class Camera {
 public:
  // Validates the source and creates the recognizer (loading its models); throws platewatch::Error.
  // The sink must outlive the camera.
  Camera(CameraOptions options, CameraSink& sink);
  ~Camera();  // stops and joins
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  // Starts the threads; no-op while running. Never blocks on the network.
  void start();
  // Asks the threads to stop and returns at once; a kStopped event follows when they are done.
  void stop();
  // Stops and waits for the threads (pipeline in NULL state afterwards).
  void join();
  CameraStats stats() const;
  const CameraOptions& options() const { return options_; }

 private:
  enum class SessionEnd { kStopped, kEos, kError };
  struct SessionResult {
    SessionEnd end = SessionEnd::kStopped;
    std::string code, message, debug;
  };

  void supervise();
  SessionResult play_session();
  GstElement* build_pipeline();
  void teardown();
  void analyse();
  void set_state(const char* state);
  void emit(CameraEvent e) { sink_.on_event(std::move(e)); }
  void report_drops();
  bool wait_or_stop(std::chrono::milliseconds delay);

  static GstFlowReturn on_new_sample(GstAppSink* sink, gpointer self);
  GstFlowReturn handle_sample(GstAppSink* sink);
  static void on_deep_element_added(GstBin* bin, GstBin* sub, GstElement* element, gpointer self);
  static void on_pad_added(GstElement* src, GstPad* pad, gpointer convert);

  const CameraOptions options_;
  CameraSink& sink_;
  std::unique_ptr<Recognizer> recognizer_;  // used by the analysis thread only
  bool is_file_ = false;

  std::thread supervisor_;
  std::thread analyser_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  std::mt19937 rng_;

  GstElement* pipeline_ = nullptr;  // supervisor thread only
  FrameQueue queue_;

  // Streaming-thread state for the current session.
  std::atomic<uint64_t> session_seq_{0};
  std::atomic<int64_t> last_frame_ns_{0};  // steady clock
  std::atomic<bool> announced_{false};
  int64_t next_due_ns_ = 0;
  int64_t last_gate_ns_ = -1;

  // Counters.
  mutable std::mutex stats_mu_;
  std::string state_ = "idle";
  std::atomic<uint64_t> decoded_{0}, analysed_{0}, skipped_rate_{0}, skipped_motion_{0}, dropped_busy_{0},
      dropped_delivery_{0}, reads_{0}, reads_dropped_{0}, analysis_errors_{0}, sessions_{0}, reconnects_{0};
  std::atomic<int> width_{0}, height_{0};
  uint64_t reported_busy_ = 0, reported_delivery_ = 0;
  double analyse_ms_total_ = 0;
  std::map<std::string, StageStat> stage_stats_;
  std::vector<float> latencies_;  // ring of recent frame-to-analysed latencies, ms
  size_t latency_pos_ = 0;
};

}  // namespace platewatch::capture
