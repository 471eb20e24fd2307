// Stable, seedless 64-bit hashing for traces and stream names.
//
// Fnv1a64 is FNV-1a: the same bytes give the same hash on every build and
// platform, which is what a trace hash printed by one machine and compared on
// another needs. Not for hash tables fed by adversaries. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace walsim {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ull;

inline uint64_t Fnv1a64Extend(uint64_t hash, std::span<const uint8_t> data) {
  for (uint8_t byte : data) {
    hash ^= byte;
    hash *= kFnv1a64Prime;
  }
  return hash;
}
inline uint64_t Fnv1a64Extend(uint64_t hash, std::string_view data) {
  for (char c : data) {
    hash ^= static_cast<uint8_t>(c);
    hash *= kFnv1a64Prime;
  }
  return hash;
}
inline uint64_t Fnv1a64(std::string_view data) { return Fnv1a64Extend(kFnv1a64Offset, data); }

}  // namespace walsim
