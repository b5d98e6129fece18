// Marshalling between JavaScript values and native structs. Misuse throws a TypeError that
// names the property, synchronously, on the JS thread.
#pragma once

#include <napi.h>

#include "frame_context.h"
#include "recognizer_options.h"

namespace platewatch::bindings {

RecognizerOptions recognizer_options_from(const Napi::Value& value);
Napi::Array reads_to_js(Napi::Env env, const std::vector<PlateRead>& reads);
// The plate regions localization proposed (box, 4 corners, score), read or not.
Napi::Array regions_to_js(Napi::Env env, const std::vector<PlateCandidate>& candidates);
Napi::Object timings_to_js(Napi::Env env, const std::vector<StageTiming>& timings);
// A JS Error carrying the native error's code.
Napi::Error error_with_code(Napi::Env env, const std::string& code, const std::string& message);

}  // namespace platewatch::bindings
