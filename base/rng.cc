#include "base/rng.h"

#include "base/assert.h"
#include "base/hash.h"

namespace walsim {
namespace {

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) : seed_(seed) {
  uint64_t sm = seed;
  for (uint64_t& word : state_) word = SplitMix64(&sm);
}

Rng Rng::Stream(std::string_view name) const {
  uint64_t mixed = seed_;
  uint64_t name_hash = Fnv1a64(name);
  return Rng(SplitMix64(&mixed) ^ name_hash);
}

uint64_t Rng::Below(uint64_t bound) {
  WALSIM_ASSERT(bound > 0);
  const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    uint64_t x = Next();
    if (x >= threshold) return x % bound;
  }
}

uint64_t Rng::Between(uint64_t low, uint64_t high) {
  WALSIM_ASSERT(low <= high);
  if (low == 0 && high == UINT64_MAX) return Next();
  return low + Below(high - low + 1);
}

double Rng::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Rng::Chance(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return NextDouble() < p;
}

void Rng::Fill(std::span<uint8_t> out) {
  size_t i = 0;
  while (i < out.size()) {
    uint64_t word = Next();
    for (int b = 0; b < 8 && i < out.size(); b++, i++)
      out[i] = static_cast<uint8_t>(word >> (8 * b));
  }
}

}  // namespace walsim
