// The `sqlite` torture target: unmodified SQLite on the simulated disk
// through the walsim VFS, the crash loop of sqlite_target.h. The journal
// mode and synchronous setting are params, drawn per seed (from a stream of
// their own) unless fixed; the checker enforces exactly the setting's
// documented promise (PromiseOf), so a loss synchronous=OFF allows passes,
// counted by the probe engine/allowed-by-setting.
#include <string>

#include "base/rng.h"
#include "scenarios/targets/loop_target.h"
#include "scenarios/targets/sqlite_target.h"

namespace walsim::targets {
namespace {

constexpr SqliteJournalMode kModes[] = {SqliteJournalMode::kDelete, SqliteJournalMode::kTruncate,
                                        SqliteJournalMode::kPersist, SqliteJournalMode::kWal};
constexpr SqliteSynchronous kSyncs[] = {SqliteSynchronous::kOff, SqliteSynchronous::kNormal,
                                        SqliteSynchronous::kFull, SqliteSynchronous::kExtra};

class SqliteTorture : public Target {
 public:
  std::string_view name() const override { return "sqlite"; }
  std::string_view description() const override {
    return "SQLite 3 through the walsim VFS: keyed transactions, checkpoints, power cuts, "
           "integrity_check and the setting's documented promise";
  }
  const std::vector<ParamSpec>& params() const override {
    static const std::vector<ParamSpec> kParams = {
        {"journal_mode",
         "PRAGMA journal_mode (any: drawn per seed)",
         "any",
         {"DELETE", "TRUNCATE", "PERSIST", "WAL", "any"}},
        {"synchronous",
         "PRAGMA synchronous (any: drawn per seed; safe: FULL or EXTRA)",
         "any",
         {"OFF", "NORMAL", "FULL", "EXTRA", "safe", "any"}},
        {"crashes", "power cuts per seed", "3", {}, 1, 20},
        {"txns", "transactions per life, at most", "24", {}, 1, 500},
    };
    return kParams;
  }

  TargetRun Run(uint64_t seed, const TargetOptions& options, bool keep_trace) const override {
    const SqliteTargetOptions loop = LoopOptions(seed, options, keep_trace);
    return ToTargetRun(RunSqliteSeed(seed, loop), Setting(loop), "sqlite", keep_trace);
  }

  Result<ShrunkSeed> Shrink(uint64_t seed, const TargetOptions& options,
                            const std::string& invariant, size_t run_count_max) const override {
    return ShrinkLoopSeed(*this, seed, options, {{"crashes", 1}, {"txns", 1}}, invariant,
                          run_count_max);
  }

  std::string Flags(uint64_t seed, const TargetOptions& options) const override {
    const SqliteTargetOptions loop = LoopOptions(seed, options, false);
    return ParamFlags({{"journal_mode", SqliteJournalModeName(loop.journal_mode)},
                       {"synchronous", SqliteSynchronousName(loop.synchronous)},
                       {"crashes", std::to_string(loop.crash_count)},
                       {"txns", std::to_string(loop.transactions_per_life_max)}});
  }

 private:
  SqliteTargetOptions LoopOptions(uint64_t seed, const TargetOptions& options,
                                  bool keep_trace) const {
    Rng rng = Rng(seed).Stream("targets/sqlite/setting");
    const SqliteJournalMode drawn_mode = kModes[rng.Below(std::size(kModes))];
    const SqliteSynchronous drawn_sync = kSyncs[rng.Below(std::size(kSyncs))];
    const SqliteSynchronous drawn_safe =
        rng.Chance(0.5) ? SqliteSynchronous::kFull : SqliteSynchronous::kExtra;
    SqliteTargetOptions loop;
    const std::string mode = ParamValue(*this, options, "journal_mode");
    loop.journal_mode = drawn_mode;
    for (SqliteJournalMode m : kModes) {
      if (mode == SqliteJournalModeName(m)) loop.journal_mode = m;
    }
    const std::string sync = ParamValue(*this, options, "synchronous");
    loop.synchronous = sync == "safe" ? drawn_safe : drawn_sync;
    for (SqliteSynchronous s : kSyncs) {
      if (sync == SqliteSynchronousName(s)) loop.synchronous = s;
    }
    loop.crash_count = static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "crashes")));
    loop.transactions_per_life_max =
        static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "txns")));
    loop.keep_trace = keep_trace;
    return loop;
  }

  static std::string Setting(const SqliteTargetOptions& loop) {
    return std::string("journal_mode=") + SqliteJournalModeName(loop.journal_mode) +
           " synchronous=" + SqliteSynchronousName(loop.synchronous);
  }
};

}  // namespace

const Target& SqliteTarget() {
  static const SqliteTorture kTarget;
  return kTarget;
}

}  // namespace walsim::targets
