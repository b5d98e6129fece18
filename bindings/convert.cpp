#include "convert.h"

namespace platewatch::bindings {

namespace {

int int_prop(const Napi::Object& obj, const char* key, int fallback, int lo, int hi) {
  if (!obj.Has(key) || obj.Get(key).IsUndefined()) return fallback;
  const Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<int>(d) || d < lo || d > hi) {
    throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be an integer in [" +
                                              std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(d);
}

float float_prop(const Napi::Object& obj, const char* key, float fallback, float lo, float hi) {
  if (!obj.Has(key) || obj.Get(key).IsUndefined()) return fallback;
  const Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi))
    throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be in [" + std::to_string(lo) + ", " +
                                              std::to_string(hi) + "]");
  return static_cast<float>(d);
}

std::string string_prop(const Napi::Object& obj, const char* key, const std::string& fallback) {
  if (!obj.Has(key) || obj.Get(key).IsUndefined()) return fallback;
  const Napi::Value v = obj.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

bool bool_prop(const Napi::Object& obj, const char* key, bool fallback) {
  if (!obj.Has(key) || obj.Get(key).IsUndefined()) return fallback;
  const Napi::Value v = obj.Get(key);
  if (!v.IsBoolean()) throw Napi::TypeError::New(obj.Env(), std::string("options.") + key + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

Napi::Object box_to_js(Napi::Env env, const cv::Rect& r) {
  Napi::Object box = Napi::Object::New(env);
  box.Set("x", r.x);
  box.Set("y", r.y);
  box.Set("width", r.width);
  box.Set("height", r.height);
  return box;
}

}  // namespace

RecognizerOptions recognizer_options_from(const Napi::Value& value) {
  RecognizerOptions o;
  if (value.IsUndefined() || value.IsNull()) return o;
  if (!value.IsObject()) throw Napi::TypeError::New(value.Env(), "options must be an object");
  const Napi::Object obj = value.As<Napi::Object>();
  o.minPlateHeight = int_prop(obj, "minPlateHeight", o.minPlateHeight, 4, 4096);
  o.maxPlateHeight = int_prop(obj, "maxPlateHeight", o.maxPlateHeight, 4, 4096);
  o.topN = int_prop(obj, "topN", o.topN, 1, 50);
  o.minConfidence = float_prop(obj, "minConfidence", o.minConfidence, 0.f, 1.f);
  o.modelDir = string_prop(obj, "modelDir", o.modelDir);
  o.readerModel = string_prop(obj, "readerModel", o.readerModel);
  const bool plain = !o.readerModel.empty() && o.readerModel[0] != '.' &&
                     o.readerModel.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == std::string::npos;
  if (!plain)
    throw Napi::TypeError::New(value.Env(),
                               "options.readerModel must be a file name in modelDir without .json "
                               "(letters, digits, _ . -), not \"" +
                                   o.readerModel + "\"");
  o.wholeImageIsPlate = bool_prop(obj, "wholeImageIsPlate", o.wholeImageIsPlate);
  o.minCharConfidence = float_prop(obj, "minCharConfidence", o.minCharConfidence, 0.f, 1.f);
  o.stateMinConfidence = float_prop(obj, "stateMinConfidence", o.stateMinConfidence, 0.f, 1.f);
  o.detectorThreshold = float_prop(obj, "detectorThreshold", o.detectorThreshold, 0.01f, 0.99f);
  o.detectorMaxSide = int_prop(obj, "detectorMaxSide", o.detectorMaxSide, 64, 4096);
  o.secondLookBelow = float_prop(obj, "secondLookBelow", o.secondLookBelow, 0.f, 1.f);
  o.rereadFrames = int_prop(obj, "rereadFrames", o.rereadFrames, 0, 1000);
  if (o.maxPlateHeight < o.minPlateHeight)
    throw Napi::TypeError::New(value.Env(), "options.maxPlateHeight must be >= options.minPlateHeight");
  return o;
}

Napi::Array reads_to_js(Napi::Env env, const std::vector<PlateRead>& reads) {
  Napi::Array out = Napi::Array::New(env, reads.size());
  for (size_t i = 0; i < reads.size(); ++i) {
    const PlateRead& r = reads[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("plate", r.plate);
    o.Set("confidence", r.confidence);
    o.Set("box", box_to_js(env, r.box));
    Napi::Array chars = Napi::Array::New(env, r.char_confidences.size());
    for (size_t c = 0; c < r.char_confidences.size(); ++c) chars.Set(c, r.char_confidences[c]);
    o.Set("charConfidences", chars);
    Napi::Array cands = Napi::Array::New(env, r.candidates.size());
    for (size_t c = 0; c < r.candidates.size(); ++c) {
      Napi::Object alt = Napi::Object::New(env);
      alt.Set("plate", r.candidates[c].plate);
      alt.Set("confidence", r.candidates[c].confidence);
      cands.Set(c, alt);
    }
    o.Set("candidates", cands);
    if (!r.state.empty()) {
      o.Set("state", r.state);
      o.Set("stateConfidence", r.state_confidence);
    }
    out.Set(i, o);
  }
  return out;
}

Napi::Array regions_to_js(Napi::Env env, const std::vector<PlateCandidate>& candidates) {
  Napi::Array out = Napi::Array::New(env, candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const PlateCandidate& c = candidates[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("box", box_to_js(env, c.box));
    Napi::Array corners = Napi::Array::New(env, 4);
    for (uint32_t k = 0; k < 4; ++k) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("x", c.corners[k].x);
      p.Set("y", c.corners[k].y);
      corners.Set(k, p);
    }
    o.Set("corners", corners);
    o.Set("score", c.score);
    out.Set(i, o);
  }
  return out;
}

Napi::Object timings_to_js(Napi::Env env, const std::vector<StageTiming>& timings) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& t : timings) o.Set(t.stage, t.ms);
  return o;
}

Napi::Error error_with_code(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", code);
  return err;
}

}  // namespace platewatch::bindings
