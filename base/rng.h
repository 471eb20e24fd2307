// Seeded pseudo-random numbers with named, independent streams.
//
// All randomness in a simulated run comes from one 64-bit seed. A component
// draws from its own stream, `rng.Stream("sim/crash")`, derived from the seed
// and the stream's name only, so adding a random decision to one component
// never shifts the numbers another component sees. The generator is
// xoshiro256** seeded through SplitMix64; results are identical on every
// platform and build. Never seeded from the clock or std::random_device.
// Not thread-safe (walsim simulations are single-threaded).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace walsim {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  // A new generator determined by (this generator's seed, name) alone; it does
  // not consume numbers from this one.
  Rng Stream(std::string_view name) const;

  uint64_t seed() const { return seed_; }

  // Inline: seeded loads fill every payload byte through it (Fill,
  // `walsim wal load`), so a call per word shows in their profiles.
  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }
  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (rejection sampling).
  uint64_t Below(uint64_t bound);
  // Uniform in [low, high]. REQUIRES: low <= high.
  uint64_t Between(uint64_t low, uint64_t high);
  // True with probability p (p <= 0: never, p >= 1: always).
  bool Chance(double p);
  // Uniform in [0, 1), 53 random bits.
  double NextDouble();
  void Fill(std::span<uint8_t> out);

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t seed_;
  uint64_t state_[4];
};

}  // namespace walsim
