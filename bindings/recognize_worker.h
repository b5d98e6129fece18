// recognize(input, options): decodes and recognizes one still image on a libuv pool thread.
#pragma once

#include <napi.h>

namespace platewatch::bindings {

Napi::Value Recognize(const Napi::CallbackInfo& info);

}  // namespace platewatch::bindings
