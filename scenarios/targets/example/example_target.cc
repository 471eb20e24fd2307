// The `example-kv` target: the walk-through of docs/torture.md, "Torture
// your own store". It puts AppendKv (kv_store.h) on a seeded simulated disk
// and, per seed, runs lives of seeded Puts with the power cut at a seeded
// filesystem operation, then reopens and checks the recovered state against
// a PrefixModel (engine_outcome.h): it must be the state after some prefix
// of the Puts that includes every acknowledged one (AppendKv promises a
// durable Put). Every part of a target is here: the workload (Live), open /
// recover / close (AppendKv::Open and the power cut), the reference model
// (PrefixModel) and the invariants (Check), and the Target that registers it
// (registry.cc). The param bug=skip-sync plants a missing sync, and
// bug=retry-short-read a reopen that hangs on a torn tail.
#include <memory>
#include <string>

#include "base/rng.h"
#include "faults/crash_point_fs.h"
#include "scenarios/targets/example/kv_store.h"
#include "scenarios/targets/loop_target.h"
#include "sim/sim_fs.h"

namespace walsim::targets {
namespace {

using Model = PrefixModel<uint64_t>;
constexpr char kDir[] = "/kv";
constexpr uint64_t kKeySpace = 50;
constexpr uint64_t kCrashWindowOps = 300;

std::string ValueOf(uint64_t id) {
  Rng rng(id);
  std::string value = std::to_string(id) + ":";
  value.resize(value.size() + rng.Between(0, 3000), static_cast<char>('a' + id % 26));
  return value;
}

// One seed: the disk, the power switch, the store, the model.
class KvRun {
 public:
  KvRun(uint64_t seed, const example::AppendKvOptions& store_options, uint32_t crash_count,
        uint32_t puts_per_life_max, bool keep_trace)
      : rng_(Rng(seed).Stream("targets/example-kv/workload")),
        disk_(DiskOptions(seed)),
        power_(disk_),
        store_options_(store_options),
        crash_count_(crash_count),
        puts_per_life_max_(puts_per_life_max),
        keep_trace_(keep_trace) {
    outcome_.seed = seed;
    disk_.set_trace_enabled(keep_trace);
  }

  EngineOutcome Run() {
    if (!disk_.MkDir(kDir).ok() || !disk_.SyncDir("/").ok()) {
      outcome_.Note(EngineVerdict::kHarnessError, "setup of the disk failed");
      return outcome_;
    }
    for (uint32_t life = 0; life <= crash_count_; life++) {
      auto store = example::AppendKv::Open(power_, kDir, store_options_);
      if (!store.ok()) {
        outcome_.Note(EngineVerdict::kViolation, "open after crash " +
                                                     std::to_string(outcome_.crash_count) + ": " +
                                                     store.status().ToString());
        outcome_.corrupt_recovery_count++;
        break;
      }
      if (life > 0 && !Check((*store)->state())) break;
      if (life == crash_count_) break;
      Live(**store);
      store->reset();  // the process dies with the power off: nothing more reaches the disk
      disk_.Crash();
      power_.Reset();
      outcome_.crash_count++;
    }
    outcome_.sim_op_count = disk_.op_count();
    outcome_.trace_hash = disk_.trace_hash();
    if (keep_trace_) outcome_.trace = disk_.trace();
    return outcome_;
  }

 private:
  static sim::SimOptions DiskOptions(uint64_t seed) {
    Rng rng = Rng(seed).Stream("targets/example-kv/disk");
    sim::SimOptions options;
    options.seed = seed;
    options.atomic_sector = rng.Chance(0.5);
    options.crash_model = static_cast<sim::CrashModel>(rng.Below(sim::kCrashModelCount));
    options.size_before_data = rng.Chance(0.3);
    return options;
  }

  // The workload of one life: Puts until the power goes (or the cap).
  void Live(example::AppendKv& store) {
    power_.set_trip_at_op_index(power_.op_index() + 1 + rng_.Below(kCrashWindowOps));
    for (uint32_t p = 0; p < puts_per_life_max_; p++) {
      const uint64_t key = rng_.Below(kKeySpace);
      const uint64_t id = next_value_id_++;
      model_.Append({{key, id}});                     // in flight until acknowledged
      if (!store.Put(key, ValueOf(id)).ok()) return;  // the power went
      acked_ = model_.unit_count();
      outcome_.acked_unit_count++;
    }
    power_.Trip();
  }

  // Durable: no acknowledged Put lost; exact: no value never written.
  bool Check(const example::AppendKv::State& recovered_values) {
    const std::string at = "after crash " + std::to_string(outcome_.crash_count) + ": ";
    Model::State recovered;
    for (const auto& [key, value] : recovered_values) {
      const uint64_t id = std::stoull(value.substr(0, value.find(':')));
      if (ValueOf(id) != value) {
        outcome_.Note(EngineVerdict::kViolation,
                      at + "key " + std::to_string(key) + " holds bytes never written");
        return false;
      }
      recovered[key] = id;
    }
    const std::optional<size_t> prefix = model_.FindPrefix(recovered, model_.unit_count());
    if (!prefix.has_value()) {
      outcome_.Note(EngineVerdict::kViolation, at + "the state is no prefix of the Puts");
      return false;
    }
    if (*prefix < acked_) {
      outcome_.lost_acked_unit_count += acked_ - *prefix;
      outcome_.Note(EngineVerdict::kViolation, at + std::to_string(acked_ - *prefix) + " of " +
                                                   std::to_string(acked_) +
                                                   " acknowledged Puts lost");
      return false;
    }
    model_.Truncate(*prefix);
    acked_ = *prefix;
    return true;
  }

  Rng rng_;
  sim::SimFs disk_;
  faults::CrashPointFs power_;
  example::AppendKvOptions store_options_;
  uint32_t crash_count_;
  uint32_t puts_per_life_max_;
  bool keep_trace_;
  Model model_;
  size_t acked_ = 0;
  uint64_t next_value_id_ = 1;
  EngineOutcome outcome_;
};

class ExampleKv final : public Target {
 public:
  std::string_view name() const override { return "example-kv"; }
  std::string_view description() const override {
    return "the tutorial store of docs/torture.md: an append-only key-value log "
           "(bug= plants a missing sync or a hanging reopen)";
  }
  bool in_all() const override { return false; }
  const std::vector<ParamSpec>& params() const override {
    static const std::vector<ParamSpec> kParams = {
        {"bug",
         "a planted bug: none, skip-sync (Put acknowledges before SyncData), or "
         "retry-short-read (a torn tail makes the reopen spin forever)",
         "none",
         {"none", "skip-sync", "retry-short-read"}},
        {"crashes", "power cuts per seed", "3", {}, 1, 20},
        {"puts", "Puts per life, at most", "60", {}, 1, 1000},
    };
    return kParams;
  }

  TargetRun Run(uint64_t seed, const TargetOptions& options, bool keep_trace) const override {
    const std::string bug = ParamValue(*this, options, "bug");
    const example::AppendKvOptions store_options{.skip_sync = bug == "skip-sync",
                                                 .retry_short_read = bug == "retry-short-read"};
    KvRun run(seed, store_options,
              static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "crashes"))),
              static_cast<uint32_t>(std::stoul(ParamValue(*this, options, "puts"))), keep_trace);
    return ToTargetRun(run.Run(), "bug=" + bug, "example-kv", keep_trace);
  }

  Result<ShrunkSeed> Shrink(uint64_t seed, const TargetOptions& options,
                            const std::string& invariant, size_t run_count_max) const override {
    return ShrinkLoopSeed(*this, seed, options, {{"crashes", 1}, {"puts", 1}}, invariant,
                          run_count_max);
  }

  std::string Flags(uint64_t /*seed*/, const TargetOptions& options) const override {
    return ParamFlags({{"bug", ParamValue(*this, options, "bug")},
                       {"crashes", ParamValue(*this, options, "crashes")},
                       {"puts", ParamValue(*this, options, "puts")}});
  }
};

}  // namespace

const Target& ExampleKvTarget() {
  static const ExampleKv kTarget;
  return kTarget;
}

}  // namespace walsim::targets
