// Errors raised by the native core. Each carries a stable machine-readable code that
// crosses to JavaScript unchanged (bindings/ maps it onto a JS Error with `code`).
#pragma once

#include <stdexcept>
#include <string>

namespace platewatch {

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

namespace codes {
inline constexpr const char* kEmptyInput = "ERR_EMPTY_INPUT";
inline constexpr const char* kFileNotFound = "ERR_FILE_NOT_FOUND";
inline constexpr const char* kNotAFile = "ERR_NOT_A_FILE";
inline constexpr const char* kDecode = "ERR_IMAGE_DECODE";
inline constexpr const char* kTruncated = "ERR_IMAGE_TRUNCATED";
inline constexpr const char* kImageTooLarge = "ERR_IMAGE_TOO_LARGE";
inline constexpr const char* kModel = "ERR_MODEL";
inline constexpr const char* kInternal = "ERR_INTERNAL";
}  // namespace codes

}  // namespace platewatch
