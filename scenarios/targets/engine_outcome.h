// EngineOutcome: what one seed of an engine crash loop (sqlite_target.h,
// leveldb_target.h) found, and PrefixModel, the reference model both loops
// check recoveries against.
//
// Verdicts. kPass: every recovery was the state after some prefix of the
// acknowledged units (transactions, write batches) no shorter than the
// setting promises. kAllowedLoss: some recovery lost acknowledged units or
// was corrupt, and the engine's documentation for this setting allows it
// (the outcome says which). kViolation: a recovery broke the setting's
// promise. kHarnessError: the loop itself could not run (an engine call
// failed without a crash, a setup step failed): neither pass nor bug.
//
// PrefixModel keeps a base state and the list of units applied since; a
// state maps a key to the id of its value (values are regenerated from their
// id, so a state is small). Plain values; threading: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/assert.h"

namespace walsim::targets {

enum class EngineVerdict : uint8_t { kPass, kAllowedLoss, kViolation, kHarnessError };

inline const char* EngineVerdictName(EngineVerdict verdict) {
  switch (verdict) {
    case EngineVerdict::kPass:
      return "pass";
    case EngineVerdict::kAllowedLoss:
      return "allowed-by-this-setting";
    case EngineVerdict::kViolation:
      return "violation";
    case EngineVerdict::kHarnessError:
      return "harness-error";
  }
  return "?";
}

struct EngineOutcome {
  uint64_t seed = 0;
  EngineVerdict verdict = EngineVerdict::kPass;
  // The first violation (or harness error), else the first allowed loss.
  std::string detail;
  uint64_t crash_count = 0;
  uint64_t acked_unit_count = 0;        // units acknowledged over the whole seed
  uint64_t lost_acked_unit_count = 0;   // acknowledged units missing after recoveries
  uint64_t corrupt_recovery_count = 0;  // recoveries that were not a valid prefix state
  uint64_t unsynced_loss_count = 0;     // LevelDB: recoveries that dropped unsynced writes
  uint64_t not_prefix_count = 0;        // LevelDB: recoveries that were not a prefix
  uint64_t paranoid_refusal_count = 0;  // LevelDB: paranoid_checks opens that failed
  int deepest_level = 0;                // LevelDB: deepest level holding a table
  uint64_t sim_op_count = 0;
  uint64_t trace_hash = 0;
  std::vector<std::string> trace;  // the SimFs trace, when the options asked for it
  // Every noted event (allowed losses, violations), in order, up to kEventsMax.
  static constexpr size_t kEventsMax = 32;
  std::vector<std::string> events;

  // Raises the verdict (pass < allowed < violation/harness error) and keeps
  // the detail of the first most severe event.
  void Note(EngineVerdict event, std::string text) {
    if (events.size() < kEventsMax)
      events.push_back(std::string(EngineVerdictName(event)) + ": " + text);
    if (Rank(event) > Rank(verdict)) {
      verdict = event;
      detail = std::move(text);
    }
  }

 private:
  static int Rank(EngineVerdict v) {
    return v == EngineVerdict::kPass ? 0 : v == EngineVerdict::kAllowedLoss ? 1 : 2;
  }
};

template <typename Key>
class PrefixModel {
 public:
  using State = std::map<Key, uint64_t>;  // key -> value id
  struct Op {
    Key key;
    std::optional<uint64_t> value_id;  // nullopt: delete
  };
  using Unit = std::vector<Op>;
  static constexpr size_t kUnitCountMax = size_t{1} << 20;

  static void Apply(State& state, const Unit& unit) {
    for (const Op& op : unit) {
      if (op.value_id.has_value()) {
        state[op.key] = *op.value_id;
      } else {
        state.erase(op.key);
      }
    }
  }

  void Rebase(State base) {
    base_ = std::move(base);
    units_.clear();
  }
  void Append(Unit unit) {
    WALSIM_ASSERT(units_.size() < kUnitCountMax);
    units_.push_back(std::move(unit));
  }
  void Truncate(size_t count) {
    WALSIM_ASSERT(count <= units_.size());
    units_.resize(count);
  }
  size_t unit_count() const { return units_.size(); }

  State StateAt(size_t count) const {
    WALSIM_ASSERT(count <= units_.size());
    State state = base_;
    for (size_t i = 0; i < count; i++) Apply(state, units_[i]);
    return state;
  }

  // The largest p <= hi with StateAt(p) == recovered, if any.
  std::optional<size_t> FindPrefix(const State& recovered, size_t hi) const {
    WALSIM_ASSERT(hi <= units_.size());
    std::optional<size_t> found;
    State state = base_;
    for (size_t p = 0;; p++) {
      if (state == recovered) found = p;
      if (p == hi) break;
      Apply(state, units_[p]);
    }
    return found;
  }

  // True when every key holds, in recovered, a value (or absence) it had in
  // some StateAt(p), lo <= p <= hi: nothing acknowledged by lo was lost, and
  // nothing appeared that was never written.
  bool EveryKeyWithin(const State& recovered, size_t lo, size_t hi) const {
    WALSIM_ASSERT(lo <= hi && hi <= units_.size());
    std::map<Key, std::vector<std::optional<uint64_t>>> allowed;
    const State state = StateAt(lo);
    for (const auto& [key, id] : state) allowed[key].push_back(id);
    for (size_t p = lo; p < hi; p++) {
      for (const Op& op : units_[p]) allowed[op.key].push_back(op.value_id);
    }
    for (auto& [key, values] : allowed) {
      if (!state.contains(key)) values.push_back(std::nullopt);
    }
    for (const auto& [key, id] : recovered) {
      if (!allowed.contains(key)) return false;  // never written
    }
    for (const auto& [key, values] : allowed) {
      auto it = recovered.find(key);
      const std::optional<uint64_t> got =
          it == recovered.end() ? std::nullopt : std::optional<uint64_t>(it->second);
      bool ok = false;
      for (const auto& v : values) ok = ok || v == got;
      if (!ok) return false;
    }
    return true;
  }

 private:
  State base_;
  std::vector<Unit> units_;
};

}  // namespace walsim::targets
