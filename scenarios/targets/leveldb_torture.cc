// The `leveldb` torture target: unmodified LevelDB on the simulated disk
// through the walsim Env, its background work in lockstep, the crash loop
// of leveldb_target.h. The sync param says which writes pass sync=true
// (drawn per seed unless fixed); the checker enforces LevelDB's promise:
// every write acknowledged with sync=true, and everything before it,
// survives; unsynced writes may be lost (counted, allowed).
#include <string>

#include "base/rng.h"
#include "scenarios/targets/leveldb_target.h"
#include "scenarios/targets/loop_target.h"

namespace walsim::targets {
namespace {

struct SyncChoice {
  std::string_view name;
  double probability;
};
constexpr SyncChoice kSyncChoices[] = {{"always", 1.0}, {"mixed", 0.5}, {"never", 0.0}};

class LevelDbTorture : public Target {
 public:
  std::string_view name() const override { return "leveldb"; }
  std::string_view description() const override {
    return "LevelDB through the walsim Env (lockstep compactions): puts, batches, deletes, "
           "iteration, power cuts, paranoid and relaxed reopen";
  }
  const std::vector<ParamSpec>& params() const override {
    static const std::vector<ParamSpec> kParams = {
        {"sync",
         "which writes use sync=true: always, mixed (half), never (any: drawn per seed)",
         "any",
         {"always", "mixed", "never", "any"}},
        {"dir_sync",
         "engine: LevelDB's own syncs; on-create: the harness also syncs the "
         "directory after each file LevelDB creates (docs/findings.md)",
         "engine",
         {"engine", "on-create"}},
        {"crashes", "power cuts per seed", "3", {}, 1, 20},
        {"writes", "writes per life, at most", "400", {}, 1, 5000},
    };
    return kParams;
  }

  TargetRun Run(uint64_t seed, const TargetOptions& options, bool keep_trace) const override {
    const SyncChoice sync = Sync(seed, options);
    LevelDbTargetOptions loop = LoopOptions(options, sync);
    loop.keep_trace = keep_trace;
    return ToTargetRun(
        RunLevelDbSeed(seed, loop),
        "sync=" + std::string(sync.name) + (loop.sync_dir_on_create ? " dir_sync=on-create" : ""),
        "leveldb", keep_trace);
  }

  Result<ShrunkSeed> Shrink(uint64_t seed, const TargetOptions& options,
                            const std::string& invariant, size_t run_count_max) const override {
    return ShrinkLoopSeed(*this, seed, options, {{"crashes", 1}, {"writes", 1}}, invariant,
                          run_count_max);
  }

  std::string Flags(uint64_t seed, const TargetOptions& options) const override {
    const SyncChoice sync = Sync(seed, options);
    const LevelDbTargetOptions loop = LoopOptions(options, sync);
    return ParamFlags({{"sync", std::string(sync.name)},
                       {"dir_sync", ParamValue(*this, options, "dir_sync")},
                       {"crashes", std::to_string(loop.crash_count)},
                       {"writes", std::to_string(loop.writes_per_life_max)}});
  }

 private:
  SyncChoice Sync(uint64_t seed, const TargetOptions& options) const {
    Rng rng = Rng(seed).Stream("targets/leveldb/setting");
    const SyncChoice drawn = kSyncChoices[rng.Below(std::size(kSyncChoices))];
    const std::string value = ParamValue(*this, options, "sync");
    for (const SyncChoice& choice : kSyncChoices) {
      if (value == choice.name) return choice;
    }
    return drawn;
  }

  LevelDbTargetOptions LoopOptions(const TargetOptions& options, const SyncChoice& sync) const {
    LevelDbTargetOptions loop;
    loop.sync_probability = sync.probability;
    loop.sync_dir_on_create = ParamValue(*this, options, "dir_sync") == "on-create";
    loop.crash_count = static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "crashes")));
    loop.writes_per_life_max =
        static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "writes")));
    return loop;
  }
};

}  // namespace

const Target& LevelDbTarget() {
  static const LevelDbTorture kTarget;
  return kTarget;
}

}  // namespace walsim::targets
