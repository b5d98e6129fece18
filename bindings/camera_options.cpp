#include "camera_options.h"

#include <string>

#include "convert.h"

namespace platewatch::bindings {

namespace {

class Reader {
 public:
  Reader(Napi::Object obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  bool has(const char* key) const { return obj_.Has(key) && !obj_.Get(key).IsUndefined() && !obj_.Get(key).IsNull(); }

  double number(const char* key, double fallback, double lo, double hi) const {
    if (!has(key)) return fallback;
    const Napi::Value v = obj_.Get(key);
    if (!v.IsNumber()) throw type_error(key, "must be a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= lo && d <= hi))
      throw type_error(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return d;
  }

  int integer(const char* key, int fallback, int lo, int hi) const {
    const double d = number(key, fallback, lo, hi);
    if (d != static_cast<int>(d)) throw type_error(key, "must be an integer");
    return static_cast<int>(d);
  }

  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const Napi::Value v = obj_.Get(key);
    if (!v.IsBoolean()) throw type_error(key, "must be a boolean");
    return v.As<Napi::Boolean>().Value();
  }

  std::string string(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const Napi::Value v = obj_.Get(key);
    if (!v.IsString()) throw type_error(key, "must be a string");
    return v.As<Napi::String>().Utf8Value();
  }

  Reader child(const char* key) const {
    if (!has(key)) return Reader(Napi::Object::New(obj_.Env()), path_ + "." + key);
    const Napi::Value v = obj_.Get(key);
    if (!v.IsObject()) throw type_error(key, "must be an object");
    return Reader(v.As<Napi::Object>(), path_ + "." + key);
  }

  Napi::Value raw(const char* key) const { return obj_.Get(key); }

 private:
  Napi::TypeError type_error(const char* key, const std::string& what) const {
    return Napi::TypeError::New(obj_.Env(), path_ + "." + key + " " + what);
  }
  Napi::Object obj_;
  std::string path_;
};

}  // namespace

capture::CameraOptions camera_options_from(const Napi::Value& value) {
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "camera options must be an object");
  const Reader r(value.As<Napi::Object>(), "options");
  capture::CameraOptions o;
  o.id = r.string("id", "");
  if (o.id.empty()) throw Napi::TypeError::New(value.Env(), "options.id must be a non-empty string");
  o.uri = r.string("uri", "");
  o.pipeline = r.string("pipeline", "");
  o.analyseFps = r.number("analyseFps", o.analyseFps, 0, 1000);
  o.frameQueue = r.integer("frameQueue", o.frameQueue, 1, 64);
  o.decoderThreads = r.integer("decoderThreads", o.decoderThreads, 0, 64);
  o.analysisNice = r.integer("analysisNice", o.analysisNice, 0, 19);
  o.realtime = r.boolean("realtime", o.realtime);
  o.loop = r.boolean("loop", o.loop);
  o.rtspLatencyMs = r.integer("rtspLatencyMs", o.rtspLatencyMs, 0, 60000);
  o.rtspTransport = r.string("rtspTransport", o.rtspTransport);
  if (o.rtspTransport != "tcp" && o.rtspTransport != "udp" && o.rtspTransport != "auto")
    throw Napi::TypeError::New(value.Env(), "options.rtspTransport must be tcp, udp or auto");
  o.connectTimeoutMs = r.integer("connectTimeoutMs", o.connectTimeoutMs, 100, 3600000);
  o.stallTimeoutMs = r.integer("stallTimeoutMs", o.stallTimeoutMs, 100, 3600000);
  o.deliveryQueue = r.integer("deliveryQueue", o.deliveryQueue, 1, 100000);
  const Reader rec = r.child("reconnect");
  o.reconnect.initialDelayMs = rec.integer("initialDelayMs", o.reconnect.initialDelayMs, 1, 3600000);
  o.reconnect.maxDelayMs = rec.integer("maxDelayMs", o.reconnect.maxDelayMs, 1, 3600000);
  o.reconnect.jitter = rec.number("jitter", o.reconnect.jitter, 0, 1);
  o.reconnect.maxAttempts = rec.integer("maxAttempts", o.reconnect.maxAttempts, 0, 1000000);
  const Reader roi = r.child("roi");
  o.roi.x = roi.number("x", o.roi.x, 0, 1);
  o.roi.y = roi.number("y", o.roi.y, 0, 1);
  o.roi.width = roi.number("width", o.roi.width, 0, 1);
  o.roi.height = roi.number("height", o.roi.height, 0, 1);
  if (r.has("mask")) {
    const Napi::Value mv = r.raw("mask");
    const char* what = "options.mask must be an array of at least 3 [x, y] points, fractions in [0, 1]";
    if (!mv.IsArray()) throw Napi::TypeError::New(value.Env(), what);
    const Napi::Array arr = mv.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      const Napi::Value pv = arr.Get(i);
      if (!pv.IsArray() || pv.As<Napi::Array>().Length() != 2) throw Napi::TypeError::New(value.Env(), what);
      const Napi::Value xv = pv.As<Napi::Array>().Get(0u), yv = pv.As<Napi::Array>().Get(1u);
      if (!xv.IsNumber() || !yv.IsNumber()) throw Napi::TypeError::New(value.Env(), what);
      const double x = xv.As<Napi::Number>().DoubleValue(), y = yv.As<Napi::Number>().DoubleValue();
      if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) throw Napi::TypeError::New(value.Env(), what);
      o.mask.push_back({x, y});
    }
    if (!o.mask.empty() && o.mask.size() < 3) throw Napi::TypeError::New(value.Env(), what);
  }
  const Reader motion = r.child("motion");
  o.motion.enabled = motion.boolean("enabled", o.motion.enabled);
  o.motion.threshold = motion.number("threshold", o.motion.threshold, 0, 255);
  const Reader ev = r.child("evidence");
  o.evidence.plateMargin = ev.number("plateMargin", o.evidence.plateMargin, 0, 5);
  o.evidence.plateJpegQuality = ev.integer("plateJpegQuality", o.evidence.plateJpegQuality, 1, 100);
  o.evidence.contextWidth = ev.integer("contextWidth", o.evidence.contextWidth, 0, 8192);
  o.evidence.contextJpegQuality = ev.integer("contextJpegQuality", o.evidence.contextJpegQuality, 1, 100);
  o.evidence.unread = ev.boolean("unread", o.evidence.unread);
  o.recognizer = recognizer_options_from(r.raw("recognizer"));
  return o;
}

}  // namespace platewatch::bindings
