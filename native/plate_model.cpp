#include "plate_model.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include <opencv2/core.hpp>

#include "error.h"

namespace platewatch {

namespace {

float margin(const cv::FileNode& n) {
  if (n.empty() || !n.isReal()) return 0.f;
  return std::clamp(static_cast<float>(n.real()), 0.f, 1.f);
}

}  // namespace

std::shared_ptr<const PlateModelInfo> load_plate_model_info(const std::string& dir, const std::string& name) {
  if (dir.empty()) throw Error(codes::kModel, "modelDir is not set: cannot find " + name + ".json");
  const std::string path = dir + "/" + name + ".json";
  if (!std::ifstream(path).good()) throw Error(codes::kModel, "model metadata not found: " + path);
  auto info = std::make_shared<PlateModelInfo>();
  try {
    cv::FileStorage fs(path, cv::FileStorage::READ | cv::FileStorage::FORMAT_JSON);
    if (!fs.isOpened()) throw Error(codes::kModel, "cannot open model metadata " + path);
    info->input_width = static_cast<int>(fs["input_width"].real());
    info->input_height = static_cast<int>(fs["input_height"].real());
    info->steps = static_cast<int>(fs["steps"].real());
    if (static_cast<std::string>(fs["decoder"]) != "ctc")
      throw Error(codes::kModel, "model metadata " + path + ": decoder must be \"ctc\"");
    info->alphabet = static_cast<std::string>(fs["alphabet"]);
    const std::string onnx = static_cast<std::string>(fs["onnx"]);
    info->onnx_path = dir + "/" + onnx;
    info->rectify_margin_x = margin(fs["rectify_margin_x"]);
    info->rectify_margin_y = margin(fs["rectify_margin_y"]);
    const cv::FileNode states = fs["states"];
    const cv::FileNode formats = fs["formats"];
    for (const auto& s : states) {
      const std::string code = static_cast<std::string>(s);
      info->states.push_back(code);
      std::vector<std::string> pats;
      const cv::FileNode f = formats[code];
      if (f.isSeq()) {
        for (const auto& p : f) pats.push_back(static_cast<std::string>(p));
      }
      info->formats.push_back(std::move(pats));
    }
    if (onnx.empty() || info->alphabet.empty() || info->steps <= 0 || info->states.empty() || info->input_width < 8 ||
        info->input_height < 8) {
      throw Error(codes::kModel,
                  "model metadata " + path + " is incomplete (onnx, alphabet, steps, states, input size)");
    }
  } catch (const cv::Exception& e) {
    throw Error(codes::kModel, "model metadata " + path + " is not valid JSON: " + e.what());
  }
  return info;
}

bool matches_format(const std::string& text, const std::string& pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
    const char p = pattern[i];
    if ((p == 'L' && digit) || (p == 'D' && !digit)) return false;
  }
  return true;
}

}  // namespace platewatch
