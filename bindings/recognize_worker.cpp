#include "recognize_worker.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convert.h"
#include "error.h"
#include "image_decode.h"
#include "recognizer.h"

namespace platewatch::bindings {

namespace {

bool same_options(const RecognizerOptions& a, const RecognizerOptions& b) {
  return a.minPlateHeight == b.minPlateHeight && a.maxPlateHeight == b.maxPlateHeight && a.topN == b.topN &&
         a.minConfidence == b.minConfidence && a.modelDir == b.modelDir && a.readerModel == b.readerModel &&
         a.wholeImageIsPlate == b.wholeImageIsPlate && a.minCharConfidence == b.minCharConfidence &&
         a.stateMinConfidence == b.stateMinConfidence && a.detectorThreshold == b.detectorThreshold &&
         a.detectorMaxSide == b.detectorMaxSide && a.secondLookBelow == b.secondLookBelow;
}

// One recognizer per pool thread: models are loaded once per thread, never shared.
Recognizer& thread_recognizer(const RecognizerOptions& options) {
  thread_local std::unique_ptr<Recognizer> recognizer;
  if (!recognizer || !same_options(recognizer->options(), options)) recognizer = std::make_unique<Recognizer>(options);
  return *recognizer;
}

class RecognizeWorker : public Napi::AsyncWorker {
 public:
  RecognizeWorker(Napi::Env env, RecognizerOptions options, std::string path, Napi::Buffer<uint8_t> buffer)
      : Napi::AsyncWorker(env, "platewatch.recognize"),
        deferred_(Napi::Promise::Deferred::New(env)),
        options_(std::move(options)),
        path_(std::move(path)) {
    if (!buffer.IsEmpty()) {
      buffer_ref_ = Napi::Persistent(buffer);  // keeps the bytes alive while the worker reads them
      data_ = buffer.Data();
      size_ = buffer.Length();
    }
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    /* no V8 here: worker thread */
    try {
      const auto t0 = std::chrono::steady_clock::now();
      const cv::Mat image = path_.empty() ? decode_image(data_, size_) : read_image_file(path_);
      const auto t1 = std::chrono::steady_clock::now();
      ctx_ = thread_recognizer(options_).recognize(image);
      decode_ms_ = std::chrono::duration<double, std::milli>(t1 - t0).count();
      width_ = image.cols;
      height_ = image.rows;
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const cv::Exception& e) {
      code_ = codes::kInternal;
      SetError(std::string("OpenCV error: ") + e.what());
    } catch (const std::exception& e) {
      code_ = codes::kInternal;
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("reads", reads_to_js(env, ctx_.reads));
    result.Set("regions", regions_to_js(env, ctx_.candidates));
    result.Set("width", width_);
    result.Set("height", height_);
    result.Set("decodeMs", decode_ms_);
    result.Set("stageMs", timings_to_js(env, ctx_.timings));
    Napi::Object cpu = Napi::Object::New(env);
    for (const auto& t : ctx_.timings)
      if (t.cpu_ms >= 0.) cpu.Set(t.stage, t.cpu_ms);
    result.Set("stageCpuMs", cpu);
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(error_with_code(Env(), code_, e.Message()).Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  RecognizerOptions options_;
  std::string path_;
  Napi::Reference<Napi::Buffer<uint8_t>> buffer_ref_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  FrameContext ctx_;
  double decode_ms_ = 0;
  int width_ = 0, height_ = 0;
  std::string code_ = codes::kInternal;
};

}  // namespace

Napi::Value Recognize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw Napi::TypeError::New(env, "recognize(input, options): input is required");
  const Napi::Value input = info[0];
  const RecognizerOptions options = recognizer_options_from(info[1]);
  // Stills are independent images; read scheduling needs a camera's frame sequence (and the pool's
  // recognizers are shared by unrelated calls).
  if (options.rereadFrames != 0)
    throw Napi::TypeError::New(env,
                               "options.rereadFrames applies to cameras only; leave it out (or 0) for still images");
  RecognizeWorker* worker;
  if (input.IsBuffer()) {
    worker = new RecognizeWorker(env, options, "", input.As<Napi::Buffer<uint8_t>>());
  } else if (input.IsString()) {
    std::string path = input.As<Napi::String>().Utf8Value();
    if (path.empty()) throw Napi::TypeError::New(env, "input path must not be empty");
    worker = new RecognizeWorker(env, options, std::move(path), Napi::Buffer<uint8_t>());
  } else {
    throw Napi::TypeError::New(env, "input must be a Buffer of encoded image bytes or a file path string");
  }
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace platewatch::bindings
