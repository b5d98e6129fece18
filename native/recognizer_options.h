// Recognizer options. Field names match the JavaScript options object one to one
// (src/native.ts: RecognizerOptions), which is validated and defaulted in TypeScript.
#pragma once

#include <string>

namespace platewatch {

struct RecognizerOptions {
  int minPlateHeight = 16;   // px in the full-resolution frame
  int maxPlateHeight = 200;  // px
  int topN = 5;              // alternative readings per plate
  float minConfidence = 0.5f;
  std::string modelDir;  // folder holding the committed model files
};

}  // namespace platewatch
