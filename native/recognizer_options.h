// Recognizer options. Field names match the JavaScript options object one to one
// (src/native.ts: RecognizerOptions), which is validated and defaulted in TypeScript.
#pragma once

#include <string>

namespace platewatch {

struct RecognizerOptions {
  int minPlateHeight = 16;   // px in the full-resolution frame
  int maxPlateHeight = 200;  // px
  int topN = 5;              // alternative readings per plate
  float minConfidence = 0.25f;
  std::string modelDir;                   // folder holding the committed model files
  std::string readerModel = "plate_ocr";  // reader: <modelDir>/<readerModel>.json and the .onnx it names
  bool wholeImageIsPlate = false;         // skip localization: the image is one tight plate crop
  float minCharConfidence = 0.2f;         // a read whose least certain character is below this is rejected
  float stateMinConfidence = 0.25f;       // below this the state of issuance is reported as unknown
  float detectorThreshold = 0.5f;         // plate detector score (0..1) a candidate needs
  int detectorMaxSide = 640;              // the detector sees the frame shrunk by an integer ratio to at most this
  float secondLookBelow = 0.f;            // second look at a plate whose best path is below this (0: never)
  int rereadFrames = 0;  // cameras: a tracked plate is read again after this many analysed frames (0: every frame)
};

}  // namespace platewatch
