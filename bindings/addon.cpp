// The addon entry point: the whole native surface. src/native.ts declares it for TypeScript.
#include <napi.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include <gst/gst.h>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include "camera_wrap.h"
#include "decode_text.h"
#include "image_decode.h"
#include "process_heap.h"
#include "recognize_worker.h"

namespace platewatch::bindings {

namespace {

// A call that does nothing: the baseline cost of crossing the boundary, for benchmarks.
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("opencv", CV_VERSION);
  guint major, minor, micro, nano;
  gst_version(&major, &minor, &micro, &nano);
  o.Set("gstreamer", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(micro));
  o.Set("napi", NAPI_VERSION);
  return o;
}

// Test hook for the fault tests: a segfault on a native thread, as a bug in a decoder or a stage would
// cause. Exported only when PLATEWATCH_CRASH_TEST=1 is set when the addon loads, never otherwise.
Napi::Value CrashForTest(const Napi::CallbackInfo& info) {
  std::thread([] {
    /* no V8 here: native thread */
    volatile int* nowhere = nullptr;
    *nowhere = 1;
  }).detach();
  return info.Env().Undefined();
}

Napi::Value HeapStatsValue(const Napi::CallbackInfo& info) {
  const HeapStats s = heap_stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("inUse", static_cast<double>(s.in_use));
  o.Set("free", static_cast<double>(s.free));
  o.Set("arena", static_cast<double>(s.arena));
  o.Set("mmapped", static_cast<double>(s.mmapped));
  return o;
}

Napi::Value TrimHeap(const Napi::CallbackInfo& info) {
  const HeapTrim t = trim_heap();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("released", t.released);
  o.Set("ms", t.ms);
  return o;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // OpenCV would otherwise print decoder warnings for every corrupt input on stderr.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  // Parallelism comes from running several frames at once (one per pool thread), not from OpenCV
  // splitting one frame: that keeps per-frame timings honest and the 2 cores free for the pipeline.
  cv::setNumThreads(1);
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  exports.Set("versions", Napi::Function::New(env, Versions, "versions"));
  exports.Set("heapStats", Napi::Function::New(env, HeapStatsValue, "heapStats"));
  exports.Set("trimHeap", Napi::Function::New(env, TrimHeap, "trimHeap"));
  exports.Set("recognize", Napi::Function::New(env, Recognize, "recognize"));
  exports.Set("decodeText", Napi::Function::New(env, DecodeText, "decodeText"));
  exports.Set("NativeCamera", define_camera_class(env));
  exports.Set("maxImagePixels", Napi::Number::New(env, static_cast<double>(kMaxImagePixels)));
  const char* crash_test = std::getenv("PLATEWATCH_CRASH_TEST");
  if (crash_test != nullptr && std::strcmp(crash_test, "1") == 0) {
    exports.Set("crashForTest", Napi::Function::New(env, CrashForTest, "crashForTest"));
  }
  return exports;
}

}  // namespace platewatch::bindings

static Napi::Object InitPlatewatch(Napi::Env env, Napi::Object exports) {
  return platewatch::bindings::Init(env, exports);
}

NODE_API_MODULE(platewatch, InitPlatewatch)
