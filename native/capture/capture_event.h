// What a camera hands to its consumer: lifecycle events and plate reads with their evidence.
// Produced on the camera's own threads; the consumer (bindings/camera_wrap.cpp) must not block.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frame_context.h"

namespace platewatch::capture {

enum class EventType { kConnecting, kPlaying, kError, kReconnecting, kEos, kFailed, kDropped, kStopped };

const char* event_name(EventType type);

struct CameraEvent {
  explicit CameraEvent(EventType t) : type(t) {}
  EventType type;
  int attempt = 0;            // connecting, reconnecting, failed
  int delayMs = 0;            // reconnecting
  std::string code;           // error, reconnecting, failed
  std::string message;        // error (GStreamer's message), reconnecting, failed
  std::string debug;          // error: GStreamer's debug detail
  bool fatal = false;         // error: no retry follows
  int width = 0, height = 0;  // playing
  double fps = 0;             // playing: nominal frame rate, 0 when unknown
  std::string format;         // playing: pixel format handed to the recognizer
  // dropped: frames lost since the last dropped event, by reason.
  uint64_t busy = 0, delivery = 0;
};

// The reads of one analysed frame with the evidence an officer looks at.
struct FrameReads {
  double capturedAt = 0;  // wall clock when the decoded frame reached capture, ms since the epoch
  int64_t pts = -1;       // stream presentation timestamp, ns; -1 when none
  uint64_t frameSeq = 0;  // decoded-frame number within the current session
  std::vector<PlateRead> reads;
  std::vector<std::vector<uint8_t>> plateJpegs;       // one per read (may be empty)
  std::shared_ptr<std::vector<uint8_t>> contextJpeg;  // shared by the frame's reads (may be null)
};

class CameraSink {
 public:
  virtual ~CameraSink() = default;
  /* called on a camera thread: must not block */
  virtual void on_event(CameraEvent event) = 0;
  // Returns false when the consumer's queue is full and the reads were dropped.
  virtual bool on_reads(FrameReads reads) = 0;
};

}  // namespace platewatch::capture
