// A torture target: everything `walsim torture`, `replay` and `shrink` need
// to drive one store, behind one small interface (DESIGN.md, "Targets").
//
// A target bundles a store's workload generator (its operations), how it is
// opened, crashed, recovered and closed, its reference model and the
// invariants its checker enforces. Two kinds exist:
//   - scripted targets (wal, logstore, logcache, both) generate a scenario
//     script (scenarios/search/workload.h) whose commands open, crash and
//     recover the store and whose `check` runs the models and the checker;
//     Workload() returns that script, and shrinking cuts it down;
//   - loop targets (sqlite, leveldb, example-kv) run their own seeded
//     crash-and-check loop (scenarios/targets/engine_outcome.h); they have no
//     script, and shrinking lowers their size parameters instead.
// Targets are registered by name in scenarios/targets/registry.cc, an
// explicit list (adding one is one file plus one line there).
//
// Invariant: Run(seed, options) is a pure function of (build, seed,
// options); its trace hash is the determinism invariant's witness.
//
// Threading: a Target is immutable and shared; Run is reentrant except where
// an engine keeps process-global state (SQLite's VFS registry and PRNG), so
// run one seed per process at a time (the torture driver forks workers).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "scenarios/script/script.h"
#include "scenarios/search/torture.h"
#include "scenarios/search/workload.h"

namespace walsim::targets {

// A target's own knobs, `--param name=value`, by name.
using TargetParams = std::map<std::string, std::string, std::less<>>;

// One knob a target accepts.
struct ParamSpec {
  std::string_view name;
  std::string_view meaning;
  std::string_view default_value;
  // The values it takes; empty: an integer in [int_min, int_max].
  std::vector<std::string_view> choices;
  uint64_t int_min = 0;
  uint64_t int_max = 0;
};

struct TargetOptions {
  // The workload generator's options (scripted targets; each target sets
  // its own component).
  scenarios::WorkloadOptions workload;
  TargetParams params;             // only names of the target's ParamSpecs
  bool check_determinism = false;  // run each seed twice, compare trace hashes
};

// What one run of a seed found.
struct TargetRun {
  scenarios::TortureOutcome outcome;
  uint64_t output_hash = 0;              // a digest of what the run reported
  std::vector<std::string> trace_lines;  // the simulated disk's trace, when asked for
  std::vector<std::string> notes;        // loop targets: the events it noted, in order
};

// A failing seed made small.
struct ShrunkSeed {
  std::string file_text;  // regression.scn (scripted) or shrunk.txt (loops)
  std::string file_name;  // "regression.scn" or "shrunk.txt"
  std::string summary;    // one line: what was cut, and the failure it keeps
};

class Target {
 public:
  virtual ~Target() = default;

  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;  // one line, for `walsim targets`
  virtual const std::vector<ParamSpec>& params() const;
  // False for the tutorial example: `--target all` leaves it out.
  virtual bool in_all() const { return true; }

  // The seed's workload as a script, for scripted targets; nullopt for a
  // target that runs its own loop.
  virtual std::optional<scenarios::Script> Workload(uint64_t seed,
                                                    const TargetOptions& options) const;

  // Generates, runs and checks one seed once. Never fails: every problem is
  // an outcome (kRunError for a bug of the harness or the generator).
  virtual TargetRun Run(uint64_t seed, const TargetOptions& options, bool keep_trace) const = 0;

  // Shrinks a seed whose run violates invariant, within run_count_max
  // candidate runs (then it settles for the smallest failing one found).
  // Failure: kFailedPrecondition when the seed does not violate invariant;
  // kInvalidArgument when the runner rejects a scripted target's script.
  [[nodiscard]] virtual Result<ShrunkSeed> Shrink(uint64_t seed, const TargetOptions& options,
                                                  const std::string& invariant,
                                                  size_t run_count_max) const = 0;

  // The flags after `--target NAME` that reproduce (seed, options) exactly,
  // e.g. "--ops 40 --illegal" or "--param journal_mode=WAL ..." (the values a
  // seed drew included, so a printed line stays exact if a default changes).
  virtual std::string Flags(uint64_t seed, const TargetOptions& options) const = 0;
};

// Runs seed on target, and again with options.check_determinism to compare
// trace hashes and reports (kNondeterministic when they differ).
scenarios::TortureOutcome RunTargetSeed(const Target& target, uint64_t seed,
                                        const TargetOptions& options);

// The value of param name in options, else its spec's default.
// REQUIRES: target declares name.
std::string ParamValue(const Target& target, const TargetOptions& options, std::string_view name);

// kInvalidArgument naming the first param that target does not declare or
// whose value it does not accept.
[[nodiscard]] Status CheckParams(const Target& target, const TargetParams& params);

// "--param a=x --param b=y" for the given values, in name order.
std::string ParamFlags(const TargetParams& params);

}  // namespace walsim::targets
