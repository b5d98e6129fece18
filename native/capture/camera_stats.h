// A snapshot of one camera's counters (src/capture/camera.ts: CameraStats has the same names).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace platewatch::capture {

struct StageStat {
  std::string stage;
  uint64_t count = 0;
  double totalMs = 0;
};

struct CameraStats {
  std::string state;
  uint64_t framesDecoded = 0;
  uint64_t framesAnalysed = 0;
  uint64_t skippedRate = 0;      // not analysed: over analyseFps (by design)
  uint64_t skippedMotion = 0;    // not analysed: nothing moved in the region of interest
  uint64_t droppedBusy = 0;      // decoded but replaced by a newer frame before analysis
  uint64_t droppedDelivery = 0;  // analysed frames whose reads were dropped: JavaScript fell behind
  uint64_t reads = 0;            // reads delivered
  uint64_t readsDropped = 0;
  uint64_t analysisErrors = 0;
  uint64_t sessions = 0;    // pipelines started (1 + reconnects)
  uint64_t reconnects = 0;  // reconnect attempts scheduled
  int width = 0, height = 0;
  double analyseMsMean = 0;  // recognizer + evidence per analysed frame
  double latencyMsP50 = 0;   // frame reaching capture -> analysis done (recent frames)
  double latencyMsP99 = 0;
  std::vector<StageStat> stages;
};

}  // namespace platewatch::capture
