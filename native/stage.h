// The uniform interface of a recognition stage (localize, read, identify state, post-process).
#pragma once

#include "frame_context.h"

namespace platewatch {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual const char* name() const = 0;
  // Reads and extends the context; a stage with nothing to do returns early.
  virtual void run(FrameContext& ctx) = 0;
};

}  // namespace platewatch
