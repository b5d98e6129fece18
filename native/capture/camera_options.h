// Options of one camera. Field names match the JavaScript options object one to one
// (src/native.ts: NativeCameraOptions), which is validated and defaulted in TypeScript
// (src/capture/options.ts, config/default.yaml).
#pragma once

#include <string>
#include <vector>

#include "recognizer_options.h"

namespace platewatch::capture {

struct ReconnectOptions {
  int initialDelayMs = 500;  // first retry delay; doubles per attempt
  int maxDelayMs = 30000;    // cap of the exponential backoff
  double jitter = 0.3;       // each delay is shortened by up to this fraction, at random
  int maxAttempts = 0;       // consecutive failed attempts before giving up; 0 = never give up
};

// A rectangle of the frame, as fractions of its width and height.
struct RoiOptions {
  double x = 0, y = 0, width = 1, height = 1;
};

// A point of a region-of-interest polygon, as fractions of the frame's width and height.
struct MaskPoint {
  double x = 0, y = 0;
};

struct MotionOptions {
  bool enabled = false;
  double threshold = 2.0;  // mean absolute grey-level change (0..255) below which a frame is skipped
};

struct EvidenceOptions {
  double plateMargin = 0.25;    // crop margin around the plate box, as a fraction of its size
  int plateJpegQuality = 85;    // 1..100
  int contextWidth = 640;       // px; 0 = no context image
  int contextJpegQuality = 70;  // 1..100
  bool unread = false;          // evidence for reads with an empty plate too
};

struct CameraOptions {
  std::string id;
  std::string uri;                    // rtsp://, rtsps://, http(s)://, file://, v4l2:// (one of uri or pipeline)
  std::string pipeline;               // a gst-launch description producing video (raw or encoded)
  double analyseFps = 15;             // frames per second handed to the recognizer; 0 = every decoded frame
  int frameQueue = 1;                 // decoded frames waiting for analysis; the oldest is dropped when full
  int decoderThreads = 1;             // threads per software decoder (avdec_*); 0 = one per core
  int analysisNice = 5;               // the analysis thread runs this much nicer than decoding (0..19)
  bool realtime = true;               // files play at their own frame rate (false: as fast as they decode)
  bool loop = false;                  // files start over at the end instead of ending
  int rtspLatencyMs = 200;            // rtspsrc jitter buffer
  std::string rtspTransport = "tcp";  // tcp | udp | auto
  int connectTimeoutMs = 10000;       // no first frame within this -> reconnect
  int stallTimeoutMs = 5000;          // no frame for this long while playing -> reconnect
  int deliveryQueue = 64;             // frames with reads waiting for JavaScript; more are dropped
  ReconnectOptions reconnect;
  RoiOptions roi;
  // Polygon of the frame where plates count (empty: everywhere): the recognizer runs on its bounding
  // box within `roi`, and reads whose centre falls outside the polygon are discarded.
  std::vector<MaskPoint> mask;
  MotionOptions motion;
  EvidenceOptions evidence;
  RecognizerOptions recognizer;
};

}  // namespace platewatch::capture
