// Read scheduling for cameras: a plate seen in consecutive analysed frames is not refined and read in
// every one of them. Each candidate the detector proposes is matched to a plate tracked from earlier
// frames (the nearest centre within kMaxMove plate heights, heights within a factor kMaxScale; each track
// takes one candidate). A tracked plate is looked at again only once `rereadFrames` analysed frames have
// passed since its last read, or sooner when it has grown by kGrowth since then (a nearer plate reads
// better); otherwise the candidate is dropped before refinement (a rejection of this stage), which saves
// its refinement window, its read, its decoding and its evidence JPEG. A plate not tracked yet is always
// looked at, and so is one whose last look gave no accepted read, or only an unsure one (ConfirmReads,
// after decoding, tells): only plates already read with confidence are skipped. The reads of one vehicle are voted in
// src/pipeline/groupPlates.ts, which needs a few good reads per vehicle, not one per frame: this is what
// lets cameras afford the better reader (plate_ocr) within their CPU budget (README, session 10).
// Stateful: one instance per camera (each camera owns its Recognizer). Never in the stills pipeline
// (rereadFrames 0 there: images are not a frame sequence).
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "../stage.h"

namespace platewatch {

class ScheduleReads : public Stage {
 public:
  explicit ScheduleReads(int rereadFrames) : every_(rereadFrames) {}
  const char* name() const override { return "schedule_reads"; }
  void run(FrameContext& ctx) override;
  // After decoding: each plate looked at in this frame that gave no accepted read is due again next frame.
  void confirm(const FrameContext& ctx);

  static constexpr float kMaxMove = 2.5f;   // centre distance, in plate heights, still the same plate
  static constexpr float kMaxScale = 1.6f;  // height ratio between frames still the same plate
  static constexpr float kGrowth = 1.1f;    // a tracked plate this much taller than at its last read is read
  static constexpr int kForgetFrames = 15;  // analysed frames unseen after which a track is dropped
  static constexpr size_t kMaxTracks = 64;  // bound on tracked plates (a plate beyond it is read every frame)
  // A look counts only when it gave a read at least this sure (the pipeline's default previewConfidence):
  // an unsure plate is read in every frame, as before scheduling, so the vote gets its agreeing reads soon.
  static constexpr float kSureRead = 0.85f;

 private:
  struct Track {
    cv::Rect box;        // where it was last seen
    int readHeight = 0;  // its height at its last read, px
    int64_t readFrame = 0;
    int64_t seenFrame = 0;
  };
  int every_;
  int64_t frame_ = 0;
  std::vector<Track> tracks_;
  std::vector<size_t> looked_;  // tracks whose candidate went on in this frame
};

// The second half of ScheduleReads, last in the stage list: feeds the frame's accepted reads back to it.
class ConfirmReads : public Stage {
 public:
  explicit ConfirmReads(ScheduleReads& schedule) : schedule_(schedule) {}
  const char* name() const override { return "confirm_reads"; }
  void run(FrameContext& ctx) override { schedule_.confirm(ctx); }

 private:
  ScheduleReads& schedule_;
};

}  // namespace platewatch
