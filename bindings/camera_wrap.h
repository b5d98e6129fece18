// The JavaScript handle of one native camera (src/native.ts: NativeCamera).
#pragma once

#include <napi.h>

namespace platewatch::bindings {

// Defines the NativeCamera class: new NativeCamera(options, onBatch(events, reads)).
Napi::Function define_camera_class(Napi::Env env);

}  // namespace platewatch::bindings
