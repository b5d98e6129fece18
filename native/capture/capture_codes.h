// Error codes of the capture core; they reach JavaScript unchanged (src/capture/errors.ts).
#pragma once

namespace platewatch::capture::codes {
inline constexpr const char* kCameraUri = "ERR_CAMERA_URI";          // unsupported scheme, not a URI
inline constexpr const char* kPipelineParse = "ERR_PIPELINE_PARSE";  // custom pipeline does not parse
inline constexpr const char* kSource = "ERR_SOURCE";                 // cannot connect / open / read
inline constexpr const char* kStream = "ERR_STREAM";                 // not video, undecodable, garbage
inline constexpr const char* kPipeline = "ERR_PIPELINE";             // other GStreamer failure
inline constexpr const char* kConnectTimeout = "ERR_CONNECT_TIMEOUT";
inline constexpr const char* kStall = "ERR_STALL";               // no frame for stallTimeoutMs while playing
inline constexpr const char* kStreamEnded = "ERR_STREAM_ENDED";  // a live source sent end-of-stream
inline constexpr const char* kAnalysis = "ERR_ANALYSIS";         // the recognizer failed on a frame
inline constexpr const char* kModel = "ERR_MODEL";               // the recognizer could not be created
}  // namespace platewatch::capture::codes
