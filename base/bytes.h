// Byte-range facts the stores' recovery code shares: the sector size both
// formats assume by default, and the all-zero test that tells never-written
// (preallocated, or lost) bytes from data. Header only, pure functions:
// thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

namespace walsim {

// The logical sector of nearly every disk, and the unit a torn write is
// assumed to tear at: etcd's minSectorSize (WAL torn-write detection) and
// the LogStore's default (and minimum) batch alignment.
inline constexpr uint64_t kSectorSizeBytesDefault = 512;
static_assert((kSectorSizeBytesDefault & (kSectorSizeBytesDefault - 1)) == 0, "a power of two");

// True when every byte of bytes is zero (true for an empty range).
inline bool IsAllZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace walsim
