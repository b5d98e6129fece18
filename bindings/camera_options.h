// Marshals a camera's options object (validated and defaulted in TypeScript) into the C++ struct
// with the same field names. Misuse throws a TypeError naming the property.
#pragma once

#include <napi.h>

#include "capture/camera_options.h"

namespace platewatch::bindings {

capture::CameraOptions camera_options_from(const Napi::Value& value);

}  // namespace platewatch::bindings
