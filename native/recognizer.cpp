#include "recognizer.h"

#include <chrono>
#include <ctime>

#include <opencv2/imgproc.hpp>

#include "error.h"
#include "plate_model.h"
#include "stages/decode_plate.h"
#include "stages/identify_state.h"
#include "stages/localize_plates.h"
#include "stages/read_plate.h"
#include "stages/rectify_plate.h"
#include "stages/refine_plates.h"
#include "stages/schedule_reads.h"
#include "stages/second_look.h"
#include "stages/whole_image_plate.h"

namespace platewatch {

namespace {

// CPU time of the calling thread, ms: unlike the wall clock it does not grow while other processes hold
// the CPU, so on a loaded machine it is the figure to compare (OpenCV runs on this thread only).
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

}  // namespace

Recognizer::Recognizer(const RecognizerOptions& options) : options_(options) {
  // The reader model is loaded first: a missing model fails construction with ERR_MODEL.
  const auto reader = load_plate_model_info(options_.modelDir, options_.readerModel);
  ScheduleReads* schedule = nullptr;  // owned by stages_
  if (options_.wholeImageIsPlate) {
    stages_.push_back(std::make_unique<WholeImagePlate>());
  } else {
    stages_.push_back(std::make_unique<LocalizePlates>(options_));
    // Cameras only (stills leave it 0): a frame sequence whose tracked plates need not be refined and read
    // in every frame.
    if (options_.rereadFrames > 0) {
      auto owned = std::make_unique<ScheduleReads>(options_.rereadFrames);
      schedule = owned.get();
      stages_.push_back(std::move(owned));
    }
    stages_.push_back(std::make_unique<RefinePlates>(options_));
  }
  stages_.push_back(std::make_unique<RectifyPlate>(options_, *reader));
  auto net = std::make_shared<PlateReaderNet>(reader);
  stages_.push_back(std::make_unique<ReadPlate>(net));
  // Only when it can run: not for whole-image crops (no detector cut to redo), not when off (cameras).
  if (!options_.wholeImageIsPlate && options_.secondLookBelow > 0.f)
    stages_.push_back(std::make_unique<SecondLook>(options_, net));
  stages_.push_back(std::make_unique<DecodePlate>(options_, reader));
  stages_.push_back(std::make_unique<IdentifyState>(options_, reader));
  if (schedule) stages_.push_back(std::make_unique<ConfirmReads>(*schedule));
}

void Recognizer::run(FrameContext& ctx) {
  for (auto& stage : stages_) {
    const double c0 = thread_cpu_ms();
    const auto t0 = std::chrono::steady_clock::now();
    stage->run(ctx);
    const std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
    ctx.timings.push_back({stage->name(), dt.count(), thread_cpu_ms() - c0});
  }
}

FrameContext Recognizer::recognize(const cv::Mat& image) {
  if (image.empty()) throw Error(codes::kEmptyInput, "frame is empty");
  FrameContext ctx;
  if (image.type() == CV_8UC3) {
    ctx.bgr = image;
    cv::cvtColor(image, ctx.gray, cv::COLOR_BGR2GRAY);
  } else if (image.type() == CV_8UC1) {
    ctx.gray = image;
  } else if (image.type() == CV_8UC4) {
    cv::cvtColor(image, ctx.bgr, cv::COLOR_BGRA2BGR);
    cv::cvtColor(ctx.bgr, ctx.gray, cv::COLOR_BGR2GRAY);
  } else {
    throw Error(codes::kDecode,
                "unsupported frame type " + std::to_string(image.type()) + " (expected 8-bit grey, BGR or BGRA)");
  }
  run(ctx);
  return ctx;
}

}  // namespace platewatch
