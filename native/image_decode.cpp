#include "image_decode.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "error.h"

namespace platewatch {

namespace {

bool is_jpeg(const uint8_t* data, size_t size) {
  return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

// libjpeg "decodes" a truncated file by padding it with grey and only warns; a plate read from
// invented pixels is worse than no read, so require the end-of-image marker near the end.
bool jpeg_has_eoi(const uint8_t* data, size_t size) {
  const size_t window = std::min<size_t>(size, 64);
  for (size_t i = size - window; i + 1 < size; ++i) {
    if (data[i] == 0xFF && data[i + 1] == 0xD9) return true;
  }
  return false;
}

// The format the first bytes announce: lets a failed decode say "corrupt PNG" rather than "not an image",
// and name a format OpenCV does not read. name is nullptr for bytes no known format starts with.
struct Sniffed {
  const char* name;
  bool decodable;  // one OpenCV reads (its data was damaged when the decode failed)
};

Sniffed sniff_format(const uint8_t* d, size_t n) {
  const auto starts = [&](const char* magic, size_t len, size_t at = 0) {
    return n >= at + len && std::memcmp(d + at, magic, len) == 0;
  };
  if (is_jpeg(d, n)) return {"JPEG", true};
  if (starts("\x89PNG\r\n\x1a\n", 8)) return {"PNG", true};
  if (starts("BM", 2)) return {"BMP", true};
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return {"TIFF", true};
  if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return {"WebP", true};
  if (starts("GIF8", 4)) return {"GIF", false};
  if (starts("\0\0\0\x0cjP  ", 8) || starts("\xff\x4f\xff\x51", 4)) return {"JPEG 2000", false};
  if (starts("ftypheic", 8, 4) || starts("ftypheix", 8, 4) || starts("ftypmif1", 8, 4)) return {"HEIF", false};
  return {nullptr, false};
}

}  // namespace

cv::Mat decode_image(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) throw Error(codes::kEmptyInput, "image buffer is empty");
  if (is_jpeg(data, size) && !jpeg_has_eoi(data, size)) {
    throw Error(codes::kTruncated,
                "JPEG data is truncated (no end-of-image marker) after " + std::to_string(size) + " bytes");
  }
  // imdecode takes a non-const Mat header but does not write through it.
  const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<uint8_t*>(data));
  cv::Mat image;
  try {
    image = cv::imdecode(encoded, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    // OpenCV checks the size the header claims before it decodes a pixel (OPENCV_IO_MAX_IMAGE_PIXELS,
    // which src/native.ts sets to kMaxImagePixels before the addon loads).
    if (e.func == "validateInputImageSize") {
      throw Error(codes::kImageTooLarge, "image header claims more than the " + std::to_string(kMaxImagePixels) +
                                             " pixel limit (or a side over 1048576 px); not decoded");
    }
    throw Error(codes::kDecode, std::string("image could not be decoded: ") + e.err);
  }
  if (image.empty()) {
    const Sniffed format = sniff_format(data, size);
    const std::string bytes = std::to_string(size) + " bytes";
    if (format.name == nullptr) {
      throw Error(codes::kDecode,
                  "data is not a supported image (" + bytes + "; expected JPEG, PNG, BMP, TIFF or WebP)");
    }
    if (!format.decodable) {
      throw Error(codes::kDecode, std::string(format.name) + " images are not supported (" + bytes +
                                      "; expected JPEG, PNG, BMP, TIFF or WebP)");
    }
    throw Error(codes::kDecode,
                std::string(format.name) + " data could not be decoded: corrupt or truncated (" + bytes + ")");
  }
  // Also after decoding, in case OpenCV's own limit was not set (the addon loaded some other way).
  if (static_cast<int64_t>(image.cols) * image.rows > kMaxImagePixels) {
    throw Error(codes::kImageTooLarge, "image is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                                           ", larger than the " + std::to_string(kMaxImagePixels) + " pixel limit");
  }
  return image;
}

cv::Mat read_image_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error(codes::kFileNotFound, "cannot open image '" + path + "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw Error(codes::kNotAFile, "'" + path + "' is not a regular file");
  if (st.st_size > kMaxImageFileBytes) {
    throw Error(codes::kImageTooLarge, "'" + path + "' is " + std::to_string(st.st_size) + " bytes, more than the " +
                                           std::to_string(kMaxImageFileBytes) + " byte limit for an image file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(codes::kFileNotFound, "cannot open image '" + path + "'");
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<size_t>(in.gcount()) != bytes.size()) throw Error(codes::kDecode, "short read from '" + path + "'");
  try {
    return decode_image(bytes.data(), bytes.size());
  } catch (const Error& e) {
    throw Error(e.code(), "'" + path + "': " + e.what());
  }
}

}  // namespace platewatch
