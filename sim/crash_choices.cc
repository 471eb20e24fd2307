#include "sim/crash_choices.h"

#include "base/assert.h"

namespace walsim::sim {

uint64_t CrashDecider::Draw(Rng* seeded, uint64_t bound) {
  WALSIM_ASSERT(bound >= 1);
  if (choices_ == nullptr) return seeded->Below(bound);
  uint64_t choice = choices_->Choose(bound);
  WALSIM_ASSERT(choice < bound);
  return choice;
}

uint64_t CrashDecider::Below(uint64_t bound) { return Draw(crash_rng_, bound); }

uint64_t CrashDecider::Between(uint64_t low, uint64_t high) {
  WALSIM_ASSERT(low <= high && high - low < UINT64_MAX);
  if (choices_ == nullptr) return crash_rng_->Between(low, high);
  return low + Below(high - low + 1);
}

bool CrashDecider::Coin() {
  if (choices_ == nullptr) return crash_rng_->Chance(0.5);
  return Below(2) == 1;
}

uint64_t CrashDecider::TearBelow(uint64_t bound) { return Draw(tear_rng_, bound); }

}  // namespace walsim::sim
