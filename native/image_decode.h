// Decoding of still images (buffers or files) into BGR frames for the recognizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace platewatch {

// Largest image accepted, in pixels (8K UHD is 33 Mpx; this leaves room for panoramas). src/native.ts
// hands the same figure to OpenCV (OPENCV_IO_MAX_IMAGE_PIXELS) so that a larger image is refused by its
// header, before decoding; the addon exports it as maxImagePixels and a test checks the two agree.
inline constexpr int64_t kMaxImagePixels = 64LL * 1024 * 1024;

// Largest image file read, in bytes: more than any encoding of a kMaxImagePixels image needs (an
// uncompressed 64 Mpx BMP is 192 MiB). A larger file is refused unread, not loaded whole into memory.
inline constexpr int64_t kMaxImageFileBytes = 256LL * 1024 * 1024;

// Decodes an encoded image (JPEG, PNG, BMP, TIFF, WebP...) into an 8-bit BGR Mat.
// Grey-scale and 4-channel inputs are converted. Throws platewatch::Error on bad input.
cv::Mat decode_image(const uint8_t* data, size_t size);

// Reads and decodes an image file. Throws platewatch::Error naming the path on failure.
cv::Mat read_image_file(const std::string& path);

}  // namespace platewatch
