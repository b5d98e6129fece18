#include "read_plate.h"

#include <fstream>

#include <opencv2/imgproc.hpp>

#include "../error.h"

namespace platewatch {

PlateReaderNet::PlateReaderNet(std::shared_ptr<const PlateModelInfo> info) : info_(std::move(info)) {
  const std::string& path = info_->onnx_path;
  if (!std::ifstream(path).good()) throw Error(codes::kModel, "plate reader model not found: " + path);
  try {
    net_ = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw Error(codes::kModel, "cannot load plate reader model " + path + ": " + e.what());
  }
  if (net_.empty()) throw Error(codes::kModel, "cannot load plate reader model " + path);
  net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  out_names_ = {"text", "state"};
}

void PlateReaderNet::read(const cv::Mat& plate, cv::Mat& text_probs, cv::Mat& state_probs) {
  const cv::Size in(info_->input_width, info_->input_height);
  // Same preprocessing as training (training/ocr/train.py prep): area resize, BGR, 0..1.
  cv::Mat small;
  cv::resize(plate, small, in, 0, 0, cv::INTER_AREA);
  const cv::Mat blob = cv::dnn::blobFromImage(small, 1.0 / 255.0, in, cv::Scalar(), false, false, CV_32F);
  net_.setInput(blob);
  std::vector<cv::Mat> outs;
  net_.forward(outs, out_names_);
  const int classes = info_->classes();
  if (outs.size() != 2 || outs[0].total() != static_cast<size_t>(info_->steps * classes) ||
      outs[1].total() != info_->states.size()) {
    throw Error(codes::kModel, "plate reader model " + info_->onnx_path + " has unexpected output shapes");
  }
  // [1, classes, 1, steps] -> steps x classes
  text_probs = outs[0].reshape(1, classes).t();
  state_probs = outs[1].reshape(1, 1).clone();
}

void ReadPlate::run(FrameContext& ctx) {
  for (auto& cand : ctx.candidates) {
    if (!cand.plate.empty()) net_->read(cand.plate, cand.text_probs, cand.state_probs);
  }
}

}  // namespace platewatch
