// The process's C heap (glibc malloc, every arena): how much is in use vs held, and giving freed pages back.
//
// Why: the capture threads allocate and free buffers of many sizes (evidence JPEGs, OpenCV mats, GStreamer
// structures) from several malloc arenas. glibc keeps freed memory in each arena, and fragments of it stay
// resident, so a camera process's RSS crept up ~0.5 MiB/min while the bytes in use stayed flat. Trimming
// now and then hands the free pages back (madvise), so RSS follows what is really in use.
#pragma once

#include <cstddef>

namespace platewatch {

struct HeapStats {
  std::size_t in_use = 0;   // bytes in live allocations (arenas + mmapped chunks)
  std::size_t free = 0;     // bytes free inside the arenas (resident or not)
  std::size_t arena = 0;    // bytes the arenas span (sbrk + mmapped heaps)
  std::size_t mmapped = 0;  // bytes in chunks mmapped on their own
};

HeapStats heap_stats();

struct HeapTrim {
  bool released = false;  // some memory went back to the system
  double ms = 0;          // how long the trim held the allocator
};

// malloc_trim(0): every arena gives its whole free pages back to the system. Takes each arena's lock in
// turn, a few ms for a camera process; threads allocating meanwhile wait for that arena only.
HeapTrim trim_heap();

}  // namespace platewatch
