// The plate reader model: the ONNX network (CTC text + state of issuance) and its metadata
// (models/plate_ocr.json: input size, alphabet, CTC steps, state codes, per-state serial formats).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace platewatch {

struct PlateModelInfo {
  std::string onnx_path;
  int input_width = 128;
  int input_height = 64;
  int steps = 24;                   // CTC time steps (columns across the plate)
  std::string alphabet;             // the character classes; the blank class follows them (index alphabet.size())
  std::vector<std::string> states;  // lower-case two-letter codes, net order
  std::vector<std::vector<std::string>> formats;  // per state: patterns of L, D, X
  // How much rectify_plate grows a detector quad (fractions of its width / height per side) before the
  // warp, as the reader was trained; 0 when the metadata has none.
  float rectify_margin_x = 0.f;
  float rectify_margin_y = 0.f;
  int classes() const { return static_cast<int>(alphabet.size()) + 1; }
};

// Reads <dir>/<name>.json; throws Error(ERR_MODEL) naming the path when missing or malformed.
std::shared_ptr<const PlateModelInfo> load_plate_model_info(const std::string& dir,
                                                            const std::string& name = "plate_ocr");

// Does `text` (letters and digits) fit the pattern (L = letter, D = digit, X = either)?
bool matches_format(const std::string& text, const std::string& pattern);

}  // namespace platewatch
