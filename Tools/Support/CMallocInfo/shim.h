// glibc's mallinfo2, which Swift's Glibc module does not bring in: the benchmarks' measure of
// the memory a structure holds (allocated and not freed), independent of pages the allocator
// keeps.
#include <malloc.h>
#include <stddef.h>

static inline size_t flare_heap_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
