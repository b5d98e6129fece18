#include "process_heap.h"

#include <malloc.h>

#include <chrono>

namespace platewatch {

HeapStats heap_stats() {
  const struct mallinfo2 m = mallinfo2();
  HeapStats s;
  s.in_use = m.uordblks + m.hblkhd;
  s.free = m.fordblks;
  s.arena = m.arena;
  s.mmapped = m.hblkhd;
  return s;
}

HeapTrim trim_heap() {
  const auto t0 = std::chrono::steady_clock::now();
  HeapTrim t;
  t.released = malloc_trim(0) != 0;
  t.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return t;
}

}  // namespace platewatch
