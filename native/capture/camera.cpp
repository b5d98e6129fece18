#include "camera.h"

#include <algorithm>
#include <cstring>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <gst/video/video.h>
#include <opencv2/imgproc.hpp>

#include "backoff.h"
#include "capture_codes.h"
#include "error.h"
#include "evidence.h"
#include "recognizer.h"
#include "video_planes.h"

namespace platewatch::capture {

namespace {

using Clock = std::chrono::steady_clock;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Names the calling thread "<prefix><camera id>" (15 bytes at most) so profilers and the capture
// benchmark can tell the analysis threads (recognizer) from GStreamer's (demux, decode).
void name_thread(const char* prefix, const std::string& id) {
  const std::string name = (prefix + id).substr(0, 15);
  pthread_setname_np(pthread_self(), name.c_str());
}

double wall_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr const char* kSinkCaps = "video/x-raw,format={ (string)I420, (string)NV12, (string)GRAY8 }";
constexpr size_t kLatencyRing = 1024;

const char* kSchemes[] = {"rtsp", "rtsps", "rtspt", "http", "https", "file", "v4l2"};

std::string gerror_code(const GError* err) {
  if (err->domain == GST_RESOURCE_ERROR) return codes::kSource;
  if (err->domain == GST_STREAM_ERROR) return codes::kStream;
  if (err->domain == GST_CORE_ERROR && err->code == GST_CORE_ERROR_MISSING_PLUGIN) return codes::kStream;
  return codes::kPipeline;
}

}  // namespace

const char* event_name(EventType type) {
  switch (type) {
    case EventType::kConnecting:
      return "connecting";
    case EventType::kPlaying:
      return "playing";
    case EventType::kError:
      return "error";
    case EventType::kReconnecting:
      return "reconnecting";
    case EventType::kEos:
      return "eos";
    case EventType::kFailed:
      return "failed";
    case EventType::kDropped:
      return "dropped";
    case EventType::kStopped:
      return "stopped";
  }
  return "unknown";
}

void ensure_gstreamer() {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    GError* err = nullptr;
    if (!gst_init_check(nullptr, nullptr, &err)) {
      failure = err ? err->message : "unknown error";
      if (err) g_error_free(err);
    }
  });
  if (!failure.empty()) throw Error(codes::kPipeline, "GStreamer failed to initialize: " + failure);
}

void validate_source(const CameraOptions& o) {
  ensure_gstreamer();
  if (o.uri.empty() == o.pipeline.empty())
    throw Error(codes::kCameraUri, "camera '" + o.id + "': give exactly one of uri or pipeline");
  if (!o.uri.empty()) {
    if (!gst_uri_is_valid(o.uri.c_str()))
      throw Error(codes::kCameraUri, "camera '" + o.id + "': '" + o.uri + "' is not a URI (scheme://...)");
    gchar* protocol = gst_uri_get_protocol(o.uri.c_str());
    const std::string scheme = protocol ? protocol : "";
    g_free(protocol);
    const bool known =
        std::any_of(std::begin(kSchemes), std::end(kSchemes), [&](const char* s) { return scheme == s; });
    if (!known)
      throw Error(codes::kCameraUri, "camera '" + o.id + "': unsupported scheme '" + scheme +
                                         "' (expected rtsp, rtsps, http, https, file or v4l2)");
    if (!gst_uri_protocol_is_supported(GST_URI_SRC, scheme.c_str()))
      throw Error(codes::kCameraUri,
                  "camera '" + o.id + "': no GStreamer source plugin is installed for '" + scheme + "://'");
    return;
  }
  // Parsed as it will run: a trailing caps filter only parses with an element after it.
  const std::string desc = o.pipeline + " ! fakesink";
  GError* err = nullptr;
  GstElement* bin =
      gst_parse_bin_from_description_full(desc.c_str(), FALSE, nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (err || !bin) {
    const std::string msg = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    if (bin) gst_object_unref(gst_object_ref_sink(bin));
    throw Error(codes::kPipelineParse, "camera '" + o.id + "': pipeline does not parse: " + msg);
  }
  gst_object_unref(gst_object_ref_sink(bin));
}

Camera::Camera(CameraOptions options, CameraSink& sink)
    : options_(std::move(options)), sink_(sink), rng_(std::random_device{}()), queue_(options_.frameQueue) {
  validate_source(options_);
  recognizer_ = std::make_unique<Recognizer>(options_.recognizer);
  is_file_ = options_.uri.rfind("file:", 0) == 0;
  latencies_.reserve(kLatencyRing);
}

Camera::~Camera() { join(); }

void Camera::start() {
  if (running_.load()) return;
  if (supervisor_.joinable()) supervisor_.join();  // a previous run that has finished
  stopping_ = false;
  running_ = true;
  queue_.reopen();
  supervisor_ = std::thread([this] { supervise(); });
}

void Camera::stop() {
  stopping_ = true;
  { std::lock_guard<std::mutex> lock(wait_mu_); }
  wait_cv_.notify_all();
}

void Camera::join() {
  stop();
  if (supervisor_.joinable()) supervisor_.join();
}

bool Camera::wait_or_stop(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  wait_cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
  return stopping_.load();
}

void Camera::set_state(const char* state) {
  std::lock_guard<std::mutex> lock(stats_mu_);
  state_ = state;
}

void Camera::supervise() {
  name_thread("pws:", options_.id);
  analyser_ = std::thread([this] {
    name_thread("pwa:", options_.id);
    // Decoding must keep up with the stream; analysis is the elastic part (the newest frame wins).
    // Under CPU pressure the kernel should starve the analysis, not the decoder: nice this thread.
    if (options_.analysisNice > 0) {
      const auto tid = static_cast<id_t>(syscall(SYS_gettid));
      errno = 0;
      const int current = getpriority(PRIO_PROCESS, tid);
      if (errno == 0) setpriority(PRIO_PROCESS, tid, std::min(19, current + options_.analysisNice));
    }
    analyse();
  });
  int attempt = 0;
  while (!stopping_) {
    set_state("connecting");
    CameraEvent connecting{EventType::kConnecting};
    connecting.attempt = attempt;
    emit(connecting);
    const uint64_t decoded_before = decoded_.load();
    SessionResult result = play_session();
    teardown();
    if (stopping_) break;
    if (result.end == SessionEnd::kEos && is_file_) {
      set_state("eos");
      emit(CameraEvent{EventType::kEos});
      wait_or_stop(std::chrono::hours(24 * 365));
      break;
    }
    if (result.end == SessionEnd::kEos) {
      result.code = codes::kStreamEnded;
      result.message = "the live source ended the stream";
    }
    if (decoded_.load() > decoded_before) attempt = 0;  // it played: start the backoff over
    ++attempt;
    const bool give_up = options_.reconnect.maxAttempts > 0 && attempt > options_.reconnect.maxAttempts;
    CameraEvent error{EventType::kError};  // fatal when no retry follows
    error.code = result.code;
    error.message = result.message;
    error.debug = result.debug;
    error.fatal = give_up;
    emit(error);
    if (give_up) {
      set_state("failed");
      CameraEvent failed{EventType::kFailed};
      failed.attempt = attempt - 1;
      failed.code = result.code;
      failed.message = result.message;
      emit(failed);
      wait_or_stop(std::chrono::hours(24 * 365));
      break;
    }
    const int delay = backoff_delay_ms(options_.reconnect, attempt, rng_);
    reconnects_++;
    set_state("reconnecting");
    CameraEvent rec{EventType::kReconnecting};
    rec.attempt = attempt;
    rec.delayMs = delay;
    rec.code = result.code;
    rec.message = result.message;
    emit(rec);
    if (wait_or_stop(std::chrono::milliseconds(delay))) break;
  }
  queue_.close();
  if (analyser_.joinable()) analyser_.join();
  report_drops();
  set_state("stopped");
  running_ = false;
  emit(CameraEvent{EventType::kStopped});
}

GstElement* Camera::build_pipeline() {
  const std::string tail = std::string(" ! videoconvert ! appsink name=pw_sink caps=\"") + kSinkCaps + "\"";
  const std::string desc =
      options_.uri.empty() ? options_.pipeline + " ! decodebin" + tail : std::string("uridecodebin name=pw_src") + tail;
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch_full(desc.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (err || !pipeline) {
    const std::string msg = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    if (pipeline) gst_object_unref(pipeline);
    throw Error(codes::kPipelineParse, "pipeline does not parse: " + msg);
  }
  g_signal_connect(pipeline, "deep-element-added", G_CALLBACK(&Camera::on_deep_element_added), this);
  if (!options_.uri.empty()) {
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "pw_src");
    g_object_set(src, "uri", options_.uri.c_str(), nullptr);
    gst_object_unref(src);
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "pw_sink");
  // Live sources are already paced; files are paced by the clock only when realtime.
  const bool sync = options_.uri.empty() ? options_.realtime : (is_file_ && options_.realtime);
  // The appsink keeps nothing: every sample is pulled at once into the FrameQueue (counted drops).
  g_object_set(sink, "sync", sync ? TRUE : FALSE, "max-buffers", 2u, "drop", TRUE, "enable-last-sample", FALSE, "qos",
               FALSE, nullptr);
  GstAppSinkCallbacks callbacks{};
  callbacks.new_sample = &Camera::on_new_sample;
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, this, nullptr);
  gst_object_unref(sink);
  return pipeline;
}

void Camera::on_deep_element_added(GstBin*, GstBin*, GstElement* element, gpointer self_ptr) {
  auto* self = static_cast<Camera*>(self_ptr);
  GstElementFactory* factory = gst_element_get_factory(element);
  if (!factory) return;
  const std::string name = gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory));
  const CameraOptions& o = self->options_;
  if (name == "rtspsrc") {
    g_object_set(element, "latency", static_cast<guint>(o.rtspLatencyMs), "drop-on-latency", TRUE, "tcp-timeout",
                 static_cast<guint64>(o.connectTimeoutMs) * 1000, nullptr);
    if (o.rtspTransport == "tcp")
      gst_util_set_object_arg(G_OBJECT(element), "protocols", "tcp");
    else if (o.rtspTransport == "udp")
      gst_util_set_object_arg(G_OBJECT(element), "protocols", "udp");
  } else if (name.rfind("avdec_", 0) == 0) {
    // Not every libav decoder has both (avdec_h263 has no max-threads), and g_object_set stops at the
    // first unknown property with a GLib warning, so each is set only where it exists.
    GObjectClass* klass = G_OBJECT_GET_CLASS(element);
    if (g_object_class_find_property(klass, "max-threads"))
      g_object_set(element, "max-threads", o.decoderThreads, nullptr);
    if (g_object_class_find_property(klass, "output-corrupt")) g_object_set(element, "output-corrupt", FALSE, nullptr);
  } else if (name == "multipartdemux") {
    // An MJPEG camera sends one stream; without this decodebin waits for pads that never come.
    g_object_set(element, "single-stream", TRUE, nullptr);
  } else if (name == "souphttpsrc") {
    g_object_set(element, "timeout", static_cast<guint>(std::max(1, o.connectTimeoutMs / 1000)), nullptr);
  }
}

GstFlowReturn Camera::on_new_sample(GstAppSink* sink, gpointer self) {
  return static_cast<Camera*>(self)->handle_sample(sink);
}

GstFlowReturn Camera::handle_sample(GstAppSink* appsink) {
  /* GStreamer streaming thread: never block here */
  GstSample* pulled = gst_app_sink_pull_sample(appsink);
  if (!pulled) return GST_FLOW_EOS;
  // appsink hands out one GstSample it reuses for every pull, and on a caps event (a looping file starting
  // over, a resolution change) it sets the new caps on that sample in place. While we still hold the
  // previous frame (queued or being analysed) that sample is shared, the in-place update fails
  // ("gst_sample_set_caps: assertion 'gst_sample_is_writable (sample)' failed") and the next frames would
  // carry stale caps. So hold a sample of our own (the same buffer and caps: no pixel copy) and give
  // appsink its sample back at once.
  GstSample* sample = gst_sample_new(gst_sample_get_buffer(pulled), gst_sample_get_caps(pulled),
                                     gst_sample_get_segment(pulled), nullptr);
  gst_sample_unref(pulled);
  const int64_t now = steady_ns();
  last_frame_ns_ = now;
  decoded_++;
  const uint64_t seq = session_seq_++;
  GstBuffer* buffer = gst_sample_get_buffer(sample);
  const int64_t pts = buffer && GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<int64_t>(GST_BUFFER_PTS(buffer)) : -1;

  GstVideoInfo info;
  if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample))) {
    const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
    // First frame of a session, or the resolution changed mid-stream: announce it.
    if (!announced_.exchange(true) || w != width_.load() || h != height_.load()) {
      width_ = w;
      height_ = h;
      set_state("playing");
      CameraEvent e{EventType::kPlaying};
      e.width = w;
      e.height = h;
      e.fps = info.fps_d > 0 ? static_cast<double>(info.fps_n) / info.fps_d : 0;
      e.format = GST_VIDEO_INFO_NAME(&info);
      emit(e);
    }
  }

  if (options_.analyseFps > 0) {
    // The analysis-rate gate, on stream time when there is one (a seek or a wrap restarts it).
    const int64_t t = pts >= 0 ? pts : now;
    const auto period = static_cast<int64_t>(1e9 / options_.analyseFps);
    if (last_gate_ns_ < 0 || t < last_gate_ns_ || t - last_gate_ns_ > 5'000'000'000LL) next_due_ns_ = t;
    last_gate_ns_ = t;
    if (t + 5'000'000 < next_due_ns_) {
      skipped_rate_++;
      gst_sample_unref(sample);
      return GST_FLOW_OK;
    }
    next_due_ns_ += period;
    if (next_due_ns_ < t - period) next_due_ns_ = t;
  }
  DecodedFrame frame;
  frame.sample = sample;
  frame.seq = seq;
  frame.capturedAt = wall_ms();
  frame.pts = pts;
  frame.arrived = Clock::now();
  const int dropped = queue_.push(frame);
  if (dropped > 0) {
    dropped_busy_ += dropped;
    // The frame it replaced was never analysed: give its slot back, so the next decoded frame is due and
    // the camera still gets analyseFps analysed frames a second when the analysis thread only hiccuped.
    if (options_.analyseFps > 0) next_due_ns_ -= static_cast<int64_t>(1e9 / options_.analyseFps) * dropped;
  }
  return GST_FLOW_OK;
}

Camera::SessionResult Camera::play_session() {
  SessionResult result;
  announced_ = false;
  session_seq_ = 0;
  last_gate_ns_ = -1;
  last_frame_ns_ = 0;
  try {
    pipeline_ = build_pipeline();
  } catch (const Error& e) {
    result.end = SessionEnd::kError;
    result.code = e.code();
    result.message = e.what();
    return result;
  }
  sessions_++;
  GstBus* bus = gst_element_get_bus(pipeline_);
  const auto started = Clock::now();
  auto last_report = started;
  auto fail = [&](const std::string& code, const std::string& message, const std::string& debug) {
    result.end = SessionEnd::kError;
    result.code = code;
    result.message = message;
    result.debug = debug;
  };
  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The reason is on the bus as an error message, if the element posted one.
    GstMessage* msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (!msg) {
      fail(codes::kSource, "the pipeline could not start", "");
    } else {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(msg, &err, &dbg);
      fail(gerror_code(err), err->message, dbg ? dbg : "");
      g_error_free(err);
      g_free(dbg);
      gst_message_unref(msg);
    }
    gst_object_unref(bus);
    return result;
  }
  while (!stopping_) {
    GstMessage* msg = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND,
                                                 static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (stopping_) {
      if (msg) gst_message_unref(msg);
      break;
    }
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(msg, &err, &dbg);
      const gchar* from = GST_OBJECT_NAME(GST_MESSAGE_SRC(msg));
      fail(gerror_code(err), std::string(err->message) + " (" + (from ? from : "?") + ")", dbg ? dbg : "");
      g_error_free(err);
      g_free(dbg);
      gst_message_unref(msg);
      break;
    }
    if (msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
      gst_message_unref(msg);
      if (is_file_ && options_.loop) {
        if (!gst_element_seek_simple(pipeline_, GST_FORMAT_TIME,
                                     static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0)) {
          fail(codes::kStream, "cannot seek back to the start to loop the file", "");
          break;
        }
        continue;
      }
      result.end = SessionEnd::kEos;
      break;
    }
    if (msg) gst_message_unref(msg);
    // Watchdog: a source that connects but never delivers, or stops delivering without closing.
    const auto now = Clock::now();
    const int64_t last = last_frame_ns_.load();
    if (last == 0) {
      if (now - started > std::chrono::milliseconds(options_.connectTimeoutMs)) {
        fail(codes::kConnectTimeout,
             "no frame within " + std::to_string(options_.connectTimeoutMs) + " ms of connecting", "");
        break;
      }
    } else if (steady_ns() - last > static_cast<int64_t>(options_.stallTimeoutMs) * 1'000'000) {
      fail(codes::kStall, "no frame for " + std::to_string(options_.stallTimeoutMs) + " ms: the source stalled", "");
      break;
    }
    if (now - last_report >= std::chrono::seconds(1)) {
      last_report = now;
      report_drops();
    }
  }
  gst_object_unref(bus);
  return result;
}

void Camera::teardown() {
  if (!pipeline_) return;
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(pipeline_);
  pipeline_ = nullptr;
}

void Camera::report_drops() {
  const uint64_t busy = dropped_busy_.load(), delivery = dropped_delivery_.load();
  if (busy == reported_busy_ && delivery == reported_delivery_) return;
  CameraEvent e{EventType::kDropped};
  e.busy = busy - reported_busy_;
  e.delivery = delivery - reported_delivery_;
  reported_busy_ = busy;
  reported_delivery_ = delivery;
  emit(e);
}

void Camera::analyse() {
  Recognizer* recognizer = recognizer_.get();
  cv::Mat prev_small;
  cv::Size mask_size;
  std::vector<cv::Point2f> mask_px;
  uint64_t errors_reported = 0;
  DecodedFrame frame;
  while (queue_.pop(frame)) {
    GstVideoInfo info;
    GstVideoFrame vf;
    GstBuffer* buffer = gst_sample_get_buffer(frame.sample);
    if (!buffer || !gst_video_info_from_caps(&info, gst_sample_get_caps(frame.sample)) ||
        !gst_video_frame_map(&vf, &info, buffer, GST_MAP_READ)) {
      const uint64_t n = ++analysis_errors_;
      if (n == 1 || n - errors_reported >= 100) {  // the first and then every 100th
        errors_reported = n;
        CameraEvent err{EventType::kError};
        err.code = codes::kStream;
        err.message = "decoded frame " + std::to_string(frame.seq) + " cannot be read (buffer and caps disagree)";
        emit(err);
      }
      gst_sample_unref(frame.sample);
      continue;
    }
    const int w = GST_VIDEO_INFO_WIDTH(&info), h = GST_VIDEO_INFO_HEIGHT(&info);
    const cv::Size half((w + 1) / 2, (h + 1) / 2);
    VideoPlanes planes;
    // Zero-copy views over the mapped buffer; no colour conversion for the recognizer.
    planes.y = cv::Mat(h, w, CV_8UC1, GST_VIDEO_FRAME_PLANE_DATA(&vf, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0));
    switch (GST_VIDEO_INFO_FORMAT(&info)) {
      case GST_VIDEO_FORMAT_I420:
        planes.format = PixelFormat::kI420;
        planes.u = cv::Mat(half, CV_8UC1, GST_VIDEO_FRAME_PLANE_DATA(&vf, 1), GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 1));
        planes.v = cv::Mat(half, CV_8UC1, GST_VIDEO_FRAME_PLANE_DATA(&vf, 2), GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 2));
        break;
      case GST_VIDEO_FORMAT_NV12:
        planes.format = PixelFormat::kNV12;
        planes.uv = cv::Mat(half, CV_8UC2, GST_VIDEO_FRAME_PLANE_DATA(&vf, 1), GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 1));
        break;
      default:
        planes.format = PixelFormat::kGray8;
    }
    const auto t0 = Clock::now();
    cv::Rect roi = cv::Rect(static_cast<int>(options_.roi.x * w), static_cast<int>(options_.roi.y * h),
                            static_cast<int>(options_.roi.width * w), static_cast<int>(options_.roi.height * h)) &
                   cv::Rect(0, 0, w, h);
    if (!options_.mask.empty()) {
      if (mask_size != cv::Size(w, h)) {  // the polygon in pixels, recomputed when the frame size changes
        mask_size = cv::Size(w, h);
        mask_px.clear();
        for (const auto& p : options_.mask)
          mask_px.emplace_back(static_cast<float>(p.x * w), static_cast<float>(p.y * h));
      }
      roi &= cv::boundingRect(mask_px);
    }
    bool skip = roi.empty();
    if (!skip && options_.motion.enabled) {
      // Mean absolute change of a 160 px wide thumbnail of the region since the last analysed frame.
      cv::Mat small;
      const double s = std::min(1.0, 160.0 / roi.width);
      cv::resize(planes.y(roi), small, cv::Size(), s, s, cv::INTER_AREA);
      if (!prev_small.empty() && prev_small.size() == small.size()) {
        cv::Mat diff;
        cv::absdiff(small, prev_small, diff);
        if (cv::mean(diff)[0] < options_.motion.threshold) {
          skip = true;
          skipped_motion_++;
        }
      }
      if (!skip) prev_small = small;
    }
    FrameContext ctx;
    if (!skip) {
      ctx.gray = planes.y(roi);
      if (planes.format != PixelFormat::kGray8) {
        // Colour only where a stage asks for it (a plate crop), never the whole frame.
        ctx.bgr_region = [&planes, roi](const cv::Rect& r) { return crop_bgr(planes, (r + roi.tl()) & roi); };
      }
      try {
        recognizer->run(ctx);
      } catch (const std::exception& e) {
        ctx.reads.clear();
        const uint64_t n = ++analysis_errors_;
        if (n == 1 || n - errors_reported >= 100) {  // report the first and then every 100th
          errors_reported = n;
          CameraEvent err{EventType::kError};
          err.code = codes::kAnalysis;
          err.message = std::string("the recognizer failed on frame ") + std::to_string(frame.seq) + ": " + e.what();
          emit(err);
        }
      }
      for (auto& r : ctx.reads) r.box += roi.tl();
      if (!mask_px.empty()) {
        ctx.reads.erase(std::remove_if(ctx.reads.begin(), ctx.reads.end(),
                                       [&](const PlateRead& r) {
                                         const cv::Point2f c(r.box.x + r.box.width / 2.f, r.box.y + r.box.height / 2.f);
                                         return cv::pointPolygonTest(mask_px, c, false) < 0;
                                       }),
                        ctx.reads.end());
      }
      if (!ctx.reads.empty()) {
        const auto e0 = Clock::now();
        FrameReads out;
        out.capturedAt = frame.capturedAt;
        out.pts = frame.pts;
        out.frameSeq = frame.seq;
        // Evidence is for reads an officer can check: unread regions (empty plate) get none unless
        // evidence.unread, since the pipeline drops them and they would cost JPEG time for nothing.
        bool any = false;
        for (const auto& r : ctx.reads) {
          const bool wanted = options_.evidence.unread || !r.plate.empty();
          out.plateJpegs.push_back(wanted ? plate_jpeg(planes, r.box, options_.evidence) : std::vector<uint8_t>{});
          any = any || wanted;
        }
        if (any) {
          auto context = context_jpeg(planes, options_.evidence);
          if (!context.empty()) out.contextJpeg = std::make_shared<std::vector<uint8_t>>(std::move(context));
        }
        // Evidence time shows as a stage of its own in the counters.
        ctx.timings.push_back({"evidence", std::chrono::duration<double, std::milli>(Clock::now() - e0).count()});
        const size_t n = ctx.reads.size();
        out.reads = std::move(ctx.reads);
        if (sink_.on_reads(std::move(out))) {
          reads_ += n;
        } else {
          dropped_delivery_++;
          reads_dropped_ += n;
        }
      }
      analysed_++;
    }
    gst_video_frame_unmap(&vf);
    gst_sample_unref(frame.sample);
    const auto t1 = Clock::now();
    if (!skip) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      analyse_ms_total_ += std::chrono::duration<double, std::milli>(t1 - t0).count();
      for (const auto& t : ctx.timings) {
        StageStat& s = stage_stats_[t.stage];
        s.stage = t.stage;
        s.count++;
        s.totalMs += t.ms;
      }
      const float latency = std::chrono::duration<float, std::milli>(t1 - frame.arrived).count();
      if (latencies_.size() < kLatencyRing)
        latencies_.push_back(latency);
      else
        latencies_[latency_pos_++ % kLatencyRing] = latency;
    }
  }
}

CameraStats Camera::stats() const {
  CameraStats s;
  s.framesDecoded = decoded_;
  s.framesAnalysed = analysed_;
  s.skippedRate = skipped_rate_;
  s.skippedMotion = skipped_motion_;
  s.droppedBusy = dropped_busy_;
  s.droppedDelivery = dropped_delivery_;
  s.reads = reads_;
  s.readsDropped = reads_dropped_;
  s.analysisErrors = analysis_errors_;
  s.sessions = sessions_;
  s.reconnects = reconnects_;
  s.width = width_;
  s.height = height_;
  std::vector<float> lat;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    s.state = state_;
    s.analyseMsMean = s.framesAnalysed ? analyse_ms_total_ / static_cast<double>(s.framesAnalysed) : 0;
    for (const auto& kv : stage_stats_) s.stages.push_back(kv.second);
    lat = latencies_;
  }
  if (!lat.empty()) {
    std::sort(lat.begin(), lat.end());
    s.latencyMsP50 = lat[lat.size() / 2];
    s.latencyMsP99 = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  return s;
}

}  // namespace platewatch::capture
