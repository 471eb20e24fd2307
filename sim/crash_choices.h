// CrashChoices: where the simulated disk's crash decisions come from.
//
// A crash decides, per directory and per file, how much unsynced state
// persists (sim/sim_fs.h states the rules, sim/crash_image.h applies them).
// By default those decisions are drawn from the disk's seeded streams. A
// CrashChoices set with SimFs::set_crash_choices makes them instead: the
// crash-state explorer (scenarios/search/explore.h) enumerates every decision
// sequence of a crash this way, and replays one exactly.
//
// CrashDecider is the one place the crash code asks: it forwards to the
// seeded streams (exactly the draws the disk always made, so seeded runs keep
// their trace hashes) or to a CrashChoices. The bytes of a torn sector's
// random fill always come from the seeded tear stream: they are content, not
// a decision. Not thread-safe.
#pragma once

#include <cstdint>

#include "base/rng.h"

namespace walsim::sim {

class CrashChoices {
 public:
  virtual ~CrashChoices() = default;
  // One decision among option_count outcomes; returns a value in
  // [0, option_count). REQUIRES: option_count >= 1.
  virtual uint64_t Choose(uint64_t option_count) = 0;
};

class CrashDecider {
 public:
  // choices may be null (seeded). REQUIRES: crash_rng and tear_rng outlive this.
  CrashDecider(Rng* crash_rng, Rng* tear_rng, CrashChoices* choices)
      : crash_rng_(crash_rng), tear_rng_(tear_rng), choices_(choices) {}

  // What persists: a value in [0, bound), in [low, high], or a fair coin.
  uint64_t Below(uint64_t bound);
  uint64_t Between(uint64_t low, uint64_t high);
  bool Coin();
  // How a sector tears: a value in [0, bound).
  uint64_t TearBelow(uint64_t bound);
  // The stream random tear bytes are drawn from.
  Rng* tear_rng() { return tear_rng_; }

 private:
  // A value in [0, bound): from choices_ when set, else from seeded.
  uint64_t Draw(Rng* seeded, uint64_t bound);

  Rng* crash_rng_;
  Rng* tear_rng_;
  CrashChoices* choices_;
};

}  // namespace walsim::sim
