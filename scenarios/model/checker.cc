#include "scenarios/model/checker.h"

#include <cinttypes>
#include <cstdio>
#include <span>
#include <vector>

namespace walsim::scenarios {
namespace {

Verdict Violation(Invariant invariant, uint64_t op_number, std::string detail) {
  WALSIM_ASSERT(invariant != Invariant::kNone);
  return {invariant, op_number, std::move(detail)};
}

std::string Num(uint64_t value) { return std::to_string(value); }

uint64_t LastEntryIndex(const WalView& view, const wal::Snapshot& snapshot) {
  return view.entries.empty() ? snapshot.index : view.entries.back().index;
}

std::string DescribeHardState(const wal::HardState& hs) {
  return "{term " + Num(hs.term) + ", vote " + Num(hs.vote) + ", commit " + Num(hs.commit) + "}";
}

// The first way `got` is not a view the WAL could ever produce (a gap), or
// differs from `want` (phantom, changed bytes, missing entry, metadata,
// HardState). Empty when they are equal.
std::string DescribeWalDifference(const WalView& want, const WalView& got,
                                  const wal::Snapshot& snapshot) {
  for (size_t i = 0; i < got.entries.size(); i++) {
    uint64_t expected_index = snapshot.index + 1 + i;
    if (got.entries[i].index != expected_index) {
      return "gap: recovered entry " + Num(got.entries[i].index) + " where " + Num(expected_index) +
             " belongs";
    }
  }
  if (got.metadata != want.metadata) return "metadata differs";
  size_t common = std::min(want.entries.size(), got.entries.size());
  for (size_t i = 0; i < common; i++) {
    const wal::Entry& w = want.entries[i];
    const wal::Entry& g = got.entries[i];
    if (w.term != g.term || w.type != g.type || w.data != g.data) {
      return "entry " + Num(g.index) + " has other bytes (term " + Num(g.term) + " vs " +
             Num(w.term) + ", " + Num(g.data.size()) + " vs " + Num(w.data.size()) + " data bytes)";
    }
  }
  if (got.entries.size() > want.entries.size()) {
    return "phantom entry " + Num(got.entries[common].index) + " (never written, or overwritten)";
  }
  if (got.entries.size() < want.entries.size()) {
    return "missing entry " + Num(want.entries[common].index);
  }
  if (!(got.hard_state == want.hard_state)) {
    return "hardstate " + DescribeHardState(got.hard_state) + " instead of " +
           DescribeHardState(want.hard_state);
  }
  return "";
}

// The smallest prefix in [low, high] whose view equals got, if any. Records
// that do not change the view (a snapshot marker, a repeated HardState) may
// or may not be on disk; the smallest prefix never assumes one is, so the
// model never offers a snapshot to reopen from that the disk may lack.
std::optional<size_t> FindWalPrefix(const WalModel& model, const WalView& got,
                                    const wal::Snapshot& snapshot, size_t low, size_t high) {
  for (size_t k = low; k <= high; k++) {
    Result<WalView> view = model.ViewAt(k, snapshot);
    if (view.ok() && *view == got) return k;
  }
  return std::nullopt;
}

std::string DescribeWalLoss(const WalModel& model, const WalView& got,
                            const wal::Snapshot& snapshot) {
  Result<WalView> durable = model.ViewAt(model.durable_count(), snapshot);
  WALSIM_ASSERT(durable.ok());
  uint64_t watermark = LastEntryIndex(*durable, snapshot);
  uint64_t recovered = LastEntryIndex(got, snapshot);
  std::string tail =
      " (durable watermark " + Num(watermark) + ", recovered " + Num(recovered) + ")";
  if (got.entries.size() < durable->entries.size()) {
    return "lost acknowledged entry " + Num(durable->entries[got.entries.size()].index) + tail;
  }
  return "lost acknowledged hardstate " + DescribeHardState(durable->hard_state) + ", recovered " +
         DescribeHardState(got.hard_state) + tail;
}

}  // namespace

std::string_view InvariantName(Invariant invariant) {
  switch (invariant) {
    case Invariant::kNone:
      return "none";
    case Invariant::kDurable:
      return "durable";
    case Invariant::kExact:
      return "exact";
    case Invariant::kRecovers:
      return "recovers";
    case Invariant::kFailsStop:
      return "fails stop";
    case Invariant::kNeverSilentlyWrong:
      return "never silently wrong";
    case Invariant::kDeterministic:
      return "deterministic";
    case Invariant::kFormat:
      return "format";
  }
  WALSIM_UNREACHABLE();
}

std::string Verdict::ToString() const {
  if (ok()) return "ok";
  return "violated " + std::string(InvariantName(invariant)) + " at op " + Num(op_number) + ": " +
         detail;
}

namespace {

// Under illegal faults with detectable damage: the first of the lost
// (acknowledged) units issued after the damage, which the recovery dropped
// without a word. lost_op_numbers are the op numbers of the lost units.
std::optional<uint64_t> SilentlyLostAfterDamage(const DamageEvidence& evidence,
                                                std::span<const uint64_t> lost_op_numbers) {
  if (evidence.silent_loss_possible || evidence.last_damage_op_number == 0) return std::nullopt;
  for (uint64_t lost : lost_op_numbers) {
    if (lost > evidence.last_damage_op_number) return lost;
  }
  return std::nullopt;
}

std::string DescribeSilentLoss(uint64_t lost_op_number, const DamageEvidence& evidence,
                               std::string_view unit) {
  return "silently lost an acknowledged " + std::string(unit) + " issued at op " +
         Num(lost_op_number) + ", after the damage at op " + Num(evidence.last_damage_op_number) +
         " that the format can detect (a checksum mismatch before intact data, or a read "
         "error): recovery must report it, not cut it off";
}

}  // namespace

Verdict CheckWalRecovery(WalModel* model, const WalRecovery& recovery, FaultClass faults,
                         uint64_t op_number, const DamageEvidence& evidence) {
  WALSIM_ASSERT(recovery.status.ok() == recovery.result.has_value());
  if (!recovery.status.ok()) {
    // Under illegal faults a clear error is the right answer; under legal
    // faults the WAL must recover by itself.
    if (faults == FaultClass::kIllegal) return Verdict::Ok();
    return Violation(Invariant::kRecovers, op_number,
                     "reopen failed under legal faults: " + recovery.status.ToString());
  }
  WalView got{recovery.result->metadata, recovery.result->hard_state, recovery.result->entries};
  const wal::Snapshot& snapshot = recovery.snapshot;
  std::optional<size_t> prefix =
      FindWalPrefix(*model, got, snapshot, model->durable_count(), model->record_count());
  if (prefix) {
    model->ResolveTo(*prefix);
    return Verdict::Ok();
  }
  std::optional<size_t> earlier =
      model->durable_count() == 0
          ? std::nullopt
          : FindWalPrefix(*model, got, snapshot, 0, model->durable_count() - 1);
  if (faults == FaultClass::kIllegal) {
    if (earlier) {
      std::vector<uint64_t> lost_op_numbers;
      for (size_t i = *earlier; i < model->durable_count(); i++) {
        lost_op_numbers.push_back(model->OpNumberOf(i));
      }
      if (std::optional<uint64_t> lost = SilentlyLostAfterDamage(evidence, lost_op_numbers)) {
        return Violation(Invariant::kNeverSilentlyWrong, op_number,
                         DescribeSilentLoss(*lost, evidence, "record"));
      }
      Verdict lossy;  // a valid earlier state: loss, but not wrong data
      lossy.lost_acknowledged_count = model->durable_count() - *earlier;
      model->ResolveTo(*earlier);
      return lossy;
    }
    Result<WalView> want = model->ViewAt(model->record_count(), snapshot);
    return Violation(
        Invariant::kNeverSilentlyWrong, op_number,
        want.ok() ? DescribeWalDifference(*want, got, snapshot) : "recovered a view of no prefix");
  }
  if (earlier)
    return Violation(Invariant::kDurable, op_number, DescribeWalLoss(*model, got, snapshot));
  Result<WalView> want = model->ViewAt(model->record_count(), snapshot);
  std::string difference = want.ok() ? DescribeWalDifference(*want, got, snapshot) : "";
  if (difference.empty() || difference.starts_with("missing")) {
    Result<WalView> durable = model->ViewAt(model->durable_count(), snapshot);
    if (durable.ok()) difference = DescribeWalDifference(*durable, got, snapshot);
  }
  return Violation(Invariant::kExact, op_number,
                   difference.empty() ? "recovered a view of no prefix" : difference);
}

// ---- LogStore ---------------------------------------------------------------

namespace {

std::string DescribeLogDifference(const LogState& want, const LogState& got) {
  uint64_t previous = 0;
  for (const auto& [index, log] : got) {
    if (previous != 0 && index != previous + 1) {
      return "gap: recovered index " + Num(index) + " after " + Num(previous);
    }
    previous = index;
    auto it = want.find(index);
    if (it == want.end()) return "phantom entry " + Num(index);
    if (!(it->second == log)) {
      return "entry " + Num(index) + " has other bytes (term " + Num(log.term) + " vs " +
             Num(it->second.term) + ", " + Num(log.data.size()) + " vs " +
             Num(it->second.data.size()) + " data bytes)";
    }
  }
  for (const auto& [index, log] : want) {
    if (!got.contains(index)) return "missing entry " + Num(index);
  }
  return "";
}

std::optional<size_t> FindLogPrefix(const LogModel& model, const LogState& got, size_t low,
                                    size_t high) {
  for (size_t k = high + 1; k-- > low;) {
    if (model.StateAt(k) == got) return k;
  }
  return std::nullopt;
}

uint64_t LastIndexOf(const LogState& state) { return state.empty() ? 0 : state.rbegin()->first; }

// How many indexes differ between two states (missing, extra or other bytes).
size_t LogDistance(const LogState& a, const LogState& b) {
  size_t distance = 0;
  for (const auto& [index, log] : a) {
    auto it = b.find(index);
    if (it == b.end() || !(it->second == log)) distance++;
  }
  for (const auto& [index, log] : b) {
    if (!a.contains(index)) distance++;
  }
  return distance;
}

// The candidate state (any operation prefix) closest to got; ties go to the
// later prefix. Used only to describe a violation.
LogState ClosestLogState(const LogModel& model, const LogState& got) {
  LogState best = model.StateAt(model.op_count());
  size_t best_distance = LogDistance(best, got);
  for (size_t k = model.op_count(); k-- > 0;) {
    LogState candidate = model.StateAt(k);
    size_t distance = LogDistance(candidate, got);
    if (distance < best_distance) {
      best = std::move(candidate);
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

Result<LogState> ReadWholeStore(logstore::LogStore& store, uint64_t entry_count_max) {
  WALSIM_ASSIGN_OR_RETURN(uint64_t first, store.FirstIndex());
  WALSIM_ASSIGN_OR_RETURN(uint64_t last, store.LastIndex());
  LogState state;
  if (last == 0) return state;
  if (first == 0 || first > last) {
    return Status::Corruption("store reports first index " + Num(first) + " and last " + Num(last));
  }
  if (last - first + 1 > entry_count_max) {
    return Status::InvalidArgument("store holds " + Num(last - first + 1) +
                                   " entries, more than the checker reads");
  }
  for (uint64_t index = first; index <= last; index++) {
    logstore::Log log;
    WALSIM_RETURN_IF_ERROR(store.GetLog(index, &log));
    if (log.index != index) {
      return Status::Corruption("GetLog(" + Num(index) + ") returned index " + Num(log.index));
    }
    state.emplace(index, std::move(log));
  }
  return state;
}

Verdict CheckLogRecovery(LogModel* model, const LogRecovery& recovery, FaultClass faults,
                         uint64_t op_number, const DamageEvidence& evidence) {
  if (!recovery.status.ok()) {
    if (faults == FaultClass::kIllegal) return Verdict::Ok();
    return Violation(Invariant::kRecovers, op_number,
                     "reopen failed under legal faults: " + recovery.status.ToString());
  }
  const LogState& got = recovery.state;
  std::optional<size_t> prefix =
      FindLogPrefix(*model, got, model->acknowledged_count(), model->op_count());
  if (prefix) {
    model->ResolveTo(*prefix);
    return Verdict::Ok();
  }
  std::optional<size_t> earlier =
      model->acknowledged_count() == 0
          ? std::nullopt
          : FindLogPrefix(*model, got, 0, model->acknowledged_count() - 1);
  LogState acknowledged = model->StateAt(model->acknowledged_count());
  if (faults == FaultClass::kIllegal) {
    if (earlier) {
      std::vector<uint64_t> lost_op_numbers;
      for (size_t i = *earlier; i < model->acknowledged_count(); i++) {
        lost_op_numbers.push_back(model->ops()[i].op_number);
      }
      if (std::optional<uint64_t> lost = SilentlyLostAfterDamage(evidence, lost_op_numbers)) {
        return Violation(Invariant::kNeverSilentlyWrong, op_number,
                         DescribeSilentLoss(*lost, evidence, "operation"));
      }
      Verdict lossy;
      lossy.lost_acknowledged_count = model->acknowledged_count() - *earlier;
      model->ResolveTo(*earlier);
      return lossy;
    }
    // Back past the base: a state an earlier recovery already observed.
    for (size_t j = model->resolved_count(); j-- > 0;) {
      if (model->ResolvedStateAt(j) != got) continue;
      std::vector<uint64_t> lost_op_numbers;
      for (size_t i = j; i < model->resolved_count(); i++) {
        lost_op_numbers.push_back(model->resolved_ops()[i].op_number);
      }
      for (size_t i = 0; i < model->acknowledged_count(); i++) {
        lost_op_numbers.push_back(model->ops()[i].op_number);
      }
      if (std::optional<uint64_t> lost = SilentlyLostAfterDamage(evidence, lost_op_numbers)) {
        return Violation(Invariant::kNeverSilentlyWrong, op_number,
                         DescribeSilentLoss(*lost, evidence, "operation"));
      }
      Verdict lossy;
      lossy.lost_acknowledged_count = lost_op_numbers.size();
      model->RewindTo(j);
      return lossy;
    }
    return Violation(Invariant::kNeverSilentlyWrong, op_number,
                     DescribeLogDifference(ClosestLogState(*model, got), got));
  }
  // Every recovered entry is acknowledged and intact, but some acknowledged
  // entry is missing: a loss. Anything else (phantom, other bytes, gap, a
  // torn in-flight batch) is not the state after any prefix: inexact.
  std::string versus_acknowledged = DescribeLogDifference(acknowledged, got);
  if (earlier || versus_acknowledged.starts_with("missing entry ")) {
    std::string lost = versus_acknowledged.starts_with("missing entry ")
                           ? "lost acknowledged entry " + versus_acknowledged.substr(14)
                           : "lost acknowledged operation (" + versus_acknowledged + ")";
    return Violation(Invariant::kDurable, op_number,
                     lost + " (durable watermark " + Num(LastIndexOf(acknowledged)) +
                         ", recovered " + Num(LastIndexOf(got)) + ")");
  }
  std::string difference = DescribeLogDifference(ClosestLogState(*model, got), got);
  return Violation(Invariant::kExact, op_number,
                   difference.empty() ? "recovered a state of no prefix" : difference);
}

Verdict CheckLogRead(const LogModel& model, uint64_t index, const Status& status,
                     const logstore::Log* log, FaultClass faults, uint64_t op_number) {
  const bool found = status.ok();
  if (!found && !status.Is(StatusCode::kNotFound)) return Verdict::Ok();
  WALSIM_ASSERT(!found || log != nullptr);
  std::string closest;
  for (size_t k = model.op_count() + 1; k-- > model.acknowledged_count();) {
    const LogState state = model.StateAt(k);
    auto it = state.find(index);
    if (!found && it == state.end()) return Verdict::Ok();
    if (found && it != state.end() && it->second == *log) return Verdict::Ok();
    if (closest.empty()) {
      closest = it == state.end() ? "no entry " + Num(index) + " there"
                                  : "term " + Num(it->second.term) + ", " +
                                        Num(it->second.data.size()) + " data bytes";
    }
  }
  const Invariant invariant =
      faults == FaultClass::kIllegal ? Invariant::kNeverSilentlyWrong : Invariant::kExact;
  if (!found) {
    return Violation(
        invariant, op_number,
        "GetLog(" + Num(index) + ") said not found, but entry " + Num(index) + " is acknowledged");
  }
  return Violation(invariant, op_number,
                   "GetLog(" + Num(index) + ") returned term " + Num(log->term) + ", " +
                       Num(log->data.size()) + " data bytes, which no acknowledged state holds (" +
                       closest + ")");
}

Verdict CheckFailStop(const Status& after_failure, uint64_t failed_op_number, uint64_t op_number) {
  if (!after_failure.ok()) return Verdict::Ok();
  return Violation(Invariant::kFailsStop, op_number,
                   "write accepted after the failure at op " + Num(failed_op_number));
}

Verdict CheckDeterministic(uint64_t seed, uint64_t first_trace_hash, uint64_t replay_trace_hash) {
  if (first_trace_hash == replay_trace_hash) return Verdict::Ok();
  char detail[128];
  std::snprintf(detail, sizeof(detail),
                "seed %" PRIu64 " gave trace hash 0x%016" PRIx64 ", then 0x%016" PRIx64, seed,
                first_trace_hash, replay_trace_hash);
  return Violation(Invariant::kDeterministic, 0, detail);
}

}  // namespace walsim::scenarios
