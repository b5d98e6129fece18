#include "camera_wrap.h"

#include <atomic>
#include <map>
#include <memory>

#include "camera_options.h"
#include "capture/camera.h"
#include "capture/outbox.h"
#include "convert.h"
#include "error.h"

namespace platewatch::bindings {

namespace {

using capture::CameraEvent;
using capture::EventType;
using capture::FrameReads;

// Carries a camera's events and reads to JavaScript. Camera threads push into a bounded Outbox
// and ring the thread-safe function only when the outbox turns non-empty, so at most one call is
// pending at any time; the JS-thread callback takes everything in one batch. A full outbox refuses
// reads (the camera counts them as dropped); nothing here ever blocks a camera thread.
class Channel : public capture::CameraSink, public std::enable_shared_from_this<Channel> {
 public:
  Channel(std::string camera_id, size_t max_frames) : camera_id_(std::move(camera_id)), outbox_(max_frames) {}

  void set_tsfn(Napi::ThreadSafeFunction tsfn) { tsfn_ = tsfn; }
  Napi::ThreadSafeFunction& tsfn() { return tsfn_; }

  void on_event(CameraEvent event) override {
    /* no V8 here: camera thread */
    if (outbox_.push_event(std::move(event))) ring();
  }

  bool on_reads(FrameReads reads) override {
    /* no V8 here: camera thread */
    bool wake = false;
    const bool accepted = outbox_.push_reads(std::move(reads), wake);
    if (wake) ring();
    return accepted;
  }

  // JS thread: converts and hands everything pending to the JS callback.
  void deliver(Napi::Env env, Napi::Function callback) {
    std::vector<CameraEvent> events;
    std::vector<FrameReads> frames;
    outbox_.take(events, frames);
    if (events.empty() && frames.empty()) return;
    Napi::Array js_events = Napi::Array::New(env, events.size());
    for (size_t i = 0; i < events.size(); ++i) js_events.Set(i, event_to_js(env, events[i]));
    size_t total = 0;
    for (const auto& f : frames) total += f.reads.size();
    Napi::Array js_reads = Napi::Array::New(env, total);
    size_t k = 0;
    for (const auto& f : frames) {
      Napi::Array objs = reads_to_js(env, f.reads);
      Napi::Value context = env.Undefined();
      if (f.contextJpeg) context = Napi::Buffer<uint8_t>::Copy(env, f.contextJpeg->data(), f.contextJpeg->size());
      for (size_t i = 0; i < f.reads.size(); ++i) {
        Napi::Object o = objs.Get(i).As<Napi::Object>();
        o.Set("cameraId", camera_id_);
        o.Set("capturedAt", f.capturedAt);
        o.Set("pts", static_cast<double>(f.pts));
        o.Set("frameSeq", static_cast<double>(f.frameSeq));
        if (i < f.plateJpegs.size() && !f.plateJpegs[i].empty())
          o.Set("plateJpeg", Napi::Buffer<uint8_t>::Copy(env, f.plateJpegs[i].data(), f.plateJpegs[i].size()));
        if (!context.IsUndefined()) o.Set("contextJpeg", context);
        js_reads.Set(k++, o);
      }
    }
    callback.Call({js_events, js_reads});
  }

 private:
  void ring() {
    auto self = shared_from_this();
    tsfn_.NonBlockingCall([self](Napi::Env env, Napi::Function callback) {
      if (env == nullptr || callback.IsEmpty()) return;  // the environment is shutting down
      self->deliver(env, callback);
    });
  }

  static Napi::Object event_to_js(Napi::Env env, const CameraEvent& e) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", capture::event_name(e.type));
    switch (e.type) {
      case EventType::kConnecting:
        o.Set("attempt", e.attempt);
        break;
      case EventType::kPlaying:
        o.Set("width", e.width);
        o.Set("height", e.height);
        o.Set("fps", e.fps);
        o.Set("format", e.format);
        break;
      case EventType::kError:
        o.Set("code", e.code);
        o.Set("message", e.message);
        o.Set("debug", e.debug);
        o.Set("fatal", e.fatal);
        break;
      case EventType::kReconnecting:
        o.Set("attempt", e.attempt);
        o.Set("delayMs", e.delayMs);
        o.Set("code", e.code);
        o.Set("message", e.message);
        break;
      case EventType::kFailed:
        o.Set("attempts", e.attempt);
        o.Set("code", e.code);
        o.Set("message", e.message);
        break;
      case EventType::kDropped:
        o.Set("busy", static_cast<double>(e.busy));
        o.Set("delivery", static_cast<double>(e.delivery));
        break;
      default:
        break;
    }
    return o;
  }

  const std::string camera_id_;
  capture::Outbox outbox_;
  Napi::ThreadSafeFunction tsfn_;
};

class CameraWrap : public Napi::ObjectWrap<CameraWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeCamera",
                       {InstanceMethod<&CameraWrap::Start>("start"), InstanceMethod<&CameraWrap::Stop>("stop"),
                        InstanceMethod<&CameraWrap::Stats>("stats"), InstanceMethod<&CameraWrap::Close>("close")});
  }

  CameraWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CameraWrap>(info) {
    Napi::Env env = info.Env();
    capture::CameraOptions options = camera_options_from(info[0]);
    if (info.Length() < 2 || !info[1].IsFunction())
      throw Napi::TypeError::New(env, "NativeCamera(options, onBatch): onBatch must be a function");
    channel_ = std::make_shared<Channel>(options.id, static_cast<size_t>(options.deliveryQueue));
    try {
      camera_ = std::make_unique<capture::Camera>(std::move(options), *channel_);
    } catch (const Error& e) {
      throw error_with_code(env, e.code(), e.what());
    } catch (const cv::Exception& e) {
      throw error_with_code(env, codes::kModel, std::string("the recognizer could not be created: ") + e.what());
    }
    // At most one call is ever pending (see Channel); the bound is a guard, not a policy.
    channel_->set_tsfn(Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "platewatch.camera", 4, 1));
    channel_->tsfn().Unref(env);  // a camera that is not started does not keep the process alive
    // Stops the threads if the environment goes away (process exit, worker termination) first.
    napi_add_env_cleanup_hook(env, &CameraWrap::on_env_cleanup, this);
    hooked_ = true;
  }

  ~CameraWrap() override {
    unhook(Env());
    shutdown();
  }

 private:
  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (!camera_) throw error_with_code(info.Env(), "ERR_CAMERA_CLOSED", "the camera is closed");
    channel_->tsfn().Ref(info.Env());
    camera_->start();
    return info.Env().Undefined();
  }

  // Asks the threads to stop; a "stopped" event follows. Idempotent.
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (camera_) camera_->stop();
    return info.Env().Undefined();
  }

  // Joins the threads (they have stopped or are stopping), releases the thread-safe function.
  // Idempotent. The JS layer calls it after the "stopped" event, so the join does not wait.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    unhook(info.Env());
    shutdown();
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!camera_) throw error_with_code(env, "ERR_CAMERA_CLOSED", "the camera is closed");
    const capture::CameraStats s = camera_->stats();
    Napi::Object o = Napi::Object::New(env);
    o.Set("state", s.state);
    o.Set("framesDecoded", static_cast<double>(s.framesDecoded));
    o.Set("framesAnalysed", static_cast<double>(s.framesAnalysed));
    Napi::Object skipped = Napi::Object::New(env);
    skipped.Set("rate", static_cast<double>(s.skippedRate));
    skipped.Set("motion", static_cast<double>(s.skippedMotion));
    o.Set("framesSkipped", skipped);
    Napi::Object dropped = Napi::Object::New(env);
    dropped.Set("busy", static_cast<double>(s.droppedBusy));
    dropped.Set("delivery", static_cast<double>(s.droppedDelivery));
    o.Set("framesDropped", dropped);
    o.Set("reads", static_cast<double>(s.reads));
    o.Set("readsDropped", static_cast<double>(s.readsDropped));
    o.Set("analysisErrors", static_cast<double>(s.analysisErrors));
    o.Set("sessions", static_cast<double>(s.sessions));
    o.Set("reconnects", static_cast<double>(s.reconnects));
    o.Set("width", s.width);
    o.Set("height", s.height);
    o.Set("analyseMsMean", s.analyseMsMean);
    o.Set("latencyMsP50", s.latencyMsP50);
    o.Set("latencyMsP99", s.latencyMsP99);
    Napi::Object stages = Napi::Object::New(env);
    for (const auto& st : s.stages) {
      Napi::Object t = Napi::Object::New(env);
      t.Set("count", static_cast<double>(st.count));
      t.Set("totalMs", st.totalMs);
      t.Set("meanMs", st.count ? st.totalMs / static_cast<double>(st.count) : 0);
      stages.Set(st.stage, t);
    }
    o.Set("stageMs", stages);
    return o;
  }

  static void on_env_cleanup(void* self) {
    auto* wrap = static_cast<CameraWrap*>(self);
    wrap->hooked_ = false;
    wrap->shutdown();
  }

  void unhook(napi_env env) {
    if (!hooked_) return;
    hooked_ = false;
    napi_remove_env_cleanup_hook(env, &CameraWrap::on_env_cleanup, this);
  }

  void shutdown() {
    if (!camera_) return;
    camera_->join();  // threads joined, pipeline in NULL state
    camera_.reset();
    channel_->tsfn().Release();
  }

  std::shared_ptr<Channel> channel_;
  std::unique_ptr<capture::Camera> camera_;
  bool hooked_ = false;
};

}  // namespace

Napi::Function define_camera_class(Napi::Env env) { return CameraWrap::Define(env); }

}  // namespace platewatch::bindings
