#include "decode_text.h"

#include <string>

#include "convert.h"
#include "error.h"
#include "plate_model.h"
#include "stages/decode_plate.h"

namespace platewatch::bindings {

namespace {

cv::Mat float_rows(const Napi::Value& v, const char* name, int rows, int cols) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), std::string(name) + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != static_cast<size_t>(rows) * cols)
    throw Napi::RangeError::New(v.Env(), std::string(name) + " must hold " + std::to_string(rows) + " x " +
                                             std::to_string(cols) + " values, not " +
                                             std::to_string(a.ElementLength()));
  return cv::Mat(rows, cols, CV_32F, a.Data()).clone();
}

}  // namespace

Napi::Value DecodeText(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const RecognizerOptions options = recognizer_options_from(info[2]);
  std::shared_ptr<const PlateModelInfo> model;
  try {
    model = load_plate_model_info(options.modelDir, options.readerModel);
  } catch (const Error& e) {
    throw error_with_code(env, e.code(), e.what());
  }
  FrameContext ctx;
  PlateCandidate cand;
  cand.text_probs = float_rows(info[0], "textProbs", model->steps, model->classes());
  cand.state_probs = float_rows(info[1], "stateProbs", 1, static_cast<int>(model->states.size()));
  ctx.candidates.push_back(std::move(cand));
  DecodePlate(options, model).run(ctx);

  Napi::Object out = Napi::Object::New(env);
  out.Set("reads", reads_to_js(env, ctx.reads));
  Napi::Array rejections = Napi::Array::New(env, ctx.rejections.size());
  for (size_t i = 0; i < ctx.rejections.size(); ++i) rejections.Set(i, ctx.rejections[i].reason);
  out.Set("rejections", rejections);
  return out;
}

}  // namespace platewatch::bindings
