// Exponential backoff with jitter for reconnects: attempt 1 waits about initialDelayMs, each
// further attempt doubles it up to maxDelayMs, and a random part (jitter) spreads cameras that
// failed together so they do not all reconnect in the same instant.
#pragma once

#include <algorithm>
#include <cmath>
#include <random>

#include "camera_options.h"

namespace platewatch::capture {

inline int backoff_delay_ms(const ReconnectOptions& o, int attempt, std::mt19937& rng) {
  const double base = std::min<double>(o.maxDelayMs, o.initialDelayMs * std::pow(2.0, std::max(0, attempt - 1)));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return static_cast<int>(std::lround(base * (1.0 - o.jitter * u(rng))));
}

}  // namespace platewatch::capture
