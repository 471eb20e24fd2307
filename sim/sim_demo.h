// The crash demo behind `walsim sim demo`: a small story told on SimFs.
//
// For each crash model (on a fresh disk with the same seed, torn sectors and
// size-before-data on) it writes a few files with and without syncs, renames
// one and creates one without syncing its directory, crashes, and reports
// per file what survived. The text is a pure function of the seed: the same
// seed prints the same text, ending with the combined trace hash.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

namespace walsim::sim {

struct DemoOptions {
  uint64_t seed = 0;
  bool show_trace = false;  // also print every trace line of every run
};

// Returns the demo's report, one line per file and model.
std::string RunCrashDemo(const DemoOptions& options);

}  // namespace walsim::sim
